/// A REGISTER reduced to what the registrar decides on. Built once per request; every failure is
/// a `RegistrarRejection` that maps directly to the response.
struct RegisterRequest: Sendable {
    struct ContactEntry: Sendable {
        var address: SIPNameAddress
        var key: RegistrarBindingKey
        /// Requested expiry before min/max rules: Contact `expires`, else Expires header, else default.
        var requestedExpires: Int
        var q: Int
        var instance: String?
        /// The Contact URI's wire text when it is the key's text too (host already lowercase), so the
        /// stored Contact is written around it instead of serializing the URI a second time.
        var uriText: String?
    }

    enum Contacts: Sendable {
        /// No Contact: a query for the current bindings (RFC 3261 §10.2.3).
        case query
        case wildcard
        case list([ContactEntry])
    }

    var aor: AddressOfRecord
    var callID: String
    var cseq: UInt32
    var contacts: Contacts
    var expiresHeader: Int?
    var path: [String]
    var supportsPath: Bool
    var userAgent: String?
    /// Parsed here once and reused (NAT tests, the 200 OK's To tag): whether To has a tag, the
    /// first Contact address as written.
    var toHasTag = false
    var firstContact: SIPNameAddress?

    static func parse(_ message: SIPMessage, configuration: RegistrarConfiguration) throws(RegistrarRejection)
        -> RegisterRequest
    {
        guard message.isRequest, message.method == .register else {
            throw RegistrarRejection(405, "Method Not Allowed", result: .badRequest)
        }
        guard let to = try? message.to, let aor = AddressOfRecord(uri: to.uri) else {
            throw RegistrarRejection(400, "Bad To URI", result: .badRequest)
        }
        guard let callID = try? message.callID, let cseq = try? message.cseq, cseq.method == .register else {
            throw RegistrarRejection(400, "Bad Call-ID or CSeq", result: .badRequest)
        }
        guard let list = try? message.contacts else { throw RegistrarRejection(400, "Bad Contact", result: .badRequest) }
        // A malformed Expires header is treated as absent (the default applies), per RFC 4475 §3.1.2.4.
        let expiresHeader = (try? message.expires) ?? nil
        let contacts: Contacts
        let firstContact = list.addresses.first
        switch list {
        case .wildcard:
            guard expiresHeader == 0 else {
                throw RegistrarRejection(400, "Wildcard Contact requires Expires: 0", result: .badRequest)
            }
            contacts = .wildcard
        case .addresses(let addresses) where addresses.isEmpty:
            contacts = .query
        case .addresses(let addresses):
            var entries: [ContactEntry] = []
            for address in addresses {
                let expires = address.parameters.first(named: "expires").flatMap { Self.deltaSeconds($0.value) }
                    ?? expiresHeader ?? configuration.defaultExpires
                var q = configuration.defaultQ
                if let qParam = address.parameters.first(named: "q") {
                    guard let value = Self.qValue(qParam.value) else {
                        throw RegistrarRejection(400, "Invalid q value", result: .badRequest)
                    }
                    q = value
                }
                let canonical = RegistrarBindingKey.canonicalContactText(address.uri)
                let key = RegistrarBindingKey(aor: aor, contactURI: canonical.text)
                let instance = address.parameters.first(named: "+sip.instance")?.unquotedValue
                let entry = ContactEntry(address: address, key: key, requestedExpires: expires, q: q, instance: instance,
                                         uriText: canonical.isURIText ? canonical.text : nil)
                if let i = entries.firstIndex(where: { $0.key == key }) {
                    entries[i] = entry
                } else {
                    entries.append(entry)
                }
            }
            contacts = .list(entries)
        }
        let path = message.values(.path)
        let supported = message.values(.supported).map { $0.lowercased().trimmingWhitespace }
        return RegisterRequest(aor: aor, callID: callID, cseq: cseq.sequence, contacts: contacts,
                               expiresHeader: expiresHeader, path: path, supportsPath: supported.contains("path"),
                               userAgent: message.values(.userAgent).first, toHasTag: to.tag != nil,
                               firstContact: firstContact)
    }

    /// delta-seconds: digits only, capped at 2^32-1 (a malformed value is ignored, not fatal).
    static func deltaSeconds(_ text: String?) -> Int? {
        guard let text, !text.isEmpty, text.utf8.count <= 12, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
              let v = Int(text) else { return nil }
        return min(v, 0xFFFF_FFFF)
    }

    /// `qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )` in thousandths.
    static func qValue(_ text: String?) -> Int? {
        guard let text else { return nil }
        let bytes = Array(text.utf8)
        guard let first = bytes.first, first == UInt8(ascii: "0") || first == UInt8(ascii: "1") else { return nil }
        var value = Int(first - 48) * 1000
        guard bytes.count > 1 else { return value }
        guard bytes[1] == UInt8(ascii: "."), bytes.count <= 5 else { return nil }
        var scale = 100
        for c in bytes[2...] {
            guard c >= 48 && c <= 57 else { return nil }
            value += Int(c - 48) * scale
            scale /= 10
        }
        return value <= 1000 ? value : nil
    }
}

/// A REGISTER the registrar answers with an error.
struct RegistrarRejection: Error, Sendable {
    var status: Int
    var reason: String
    var extraHeaders: [(name: String, value: String)]
    var result: RegistrationResult

    init(_ status: Int, _ reason: String, result: RegistrationResult, extraHeaders: [(name: String, value: String)] = []) {
        self.status = status
        self.reason = reason
        self.result = result
        self.extraHeaders = extraHeaders
    }
}
