/// A PIDF presence document (RFC 3863) reduced to what the edge composes and shows: tuples with
/// their basic status, contact and note, presentity-level notes and RPID activities (RFC 4480)
/// of the person element. Unknown elements are ignored when reading, so richer clients still work.
public struct PIDFDocument: Sendable, Hashable {
    public var entity: String
    public var tuples: [PIDFTuple]
    /// Notes of the presence or person element.
    public var notes: [String]
    /// RPID activities (`<rpid:activities><rpid:busy/></rpid:activities>`), by local name.
    public var activities: [PresenceActivity]

    public init(entity: String, tuples: [PIDFTuple] = [], notes: [String] = [], activities: [PresenceActivity] = []) {
        self.entity = entity
        self.tuples = tuples
        self.notes = notes
        self.activities = activities
    }

    /// `open` when any tuple is open (the composed answer to "can I reach them at all").
    public var basic: PIDFTuple.Basic {
        tuples.contains { $0.basic == .open } ? .open : .closed
    }

    /// Reads a PIDF body. Errors are the tokenizer's (offset + what) or a missing `presence` root.
    public static func parse(_ bytes: [UInt8]) throws(PIDFParseError) -> PIDFDocument {
        let tokens: [XMLLiteTokenizer.Token]
        do { tokens = try XMLLiteTokenizer.tokens(bytes) } catch { throw PIDFParseError(offset: error.offset, what: error.what) }
        var doc = PIDFDocument(entity: "")
        var path: [String] = []
        var tuple: PIDFTuple?
        var sawRoot = false
        for token in tokens {
            switch token {
            case .start(let rawName, let attributes, let selfClosing):
                let name = XMLLiteTokenizer.localName(rawName)
                if path.isEmpty {
                    guard name == "presence" else { throw PIDFParseError(offset: 0, what: "root is not presence") }
                    sawRoot = true
                    doc.entity = attributes["entity"] ?? ""
                }
                if name == "tuple" { tuple = PIDFTuple(id: attributes["id"] ?? "t\(doc.tuples.count)", basic: .closed) }
                if path.last == "activities", let activity = PresenceActivity(rawValue: name) { doc.activities.append(activity) }
                if selfClosing {
                    if name == "tuple", let t = tuple { doc.tuples.append(t); tuple = nil }
                } else {
                    path.append(name)
                }
            case .end(let rawName):
                let name = XMLLiteTokenizer.localName(rawName)
                guard path.last == name else { throw PIDFParseError(offset: 0, what: "mismatched </\(rawName)>") }
                path.removeLast()
                if name == "tuple", let t = tuple { doc.tuples.append(t); tuple = nil }
            case .text(let text):
                guard let leaf = path.last else { continue }
                let value = text.trimmingSpaces()
                if leaf == "basic", tuple != nil {
                    tuple?.basic = value.lowercased() == "open" ? .open : .closed
                } else if leaf == "contact", tuple != nil {
                    tuple?.contact = value
                } else if leaf == "note" {
                    if tuple != nil, path.dropLast().last == "tuple" { tuple?.note = value } else { doc.notes.append(value) }
                } else if leaf == "other", path.dropLast().last == "activities", let activity = PresenceActivity(rawValue: value) {
                    doc.activities.append(activity)
                }
            }
        }
        guard sawRoot, path.isEmpty else { throw PIDFParseError(offset: bytes.count, what: "incomplete document") }
        return doc
    }

    /// Serializes with the pidf, data-model and rpid namespaces.
    public func xml() -> [UInt8] {
        var s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        s += "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" xmlns:dm=\"urn:ietf:params:xml:ns:pidf:data-model\""
        s += " xmlns:rpid=\"urn:ietf:params:xml:ns:pidf:rpid\" entity=\"\(XMLLiteTokenizer.escape(entity))\">\n"
        for t in tuples {
            s += "  <tuple id=\"\(XMLLiteTokenizer.escape(t.id))\"><status><basic>\(t.basic.rawValue)</basic></status>"
            if let c = t.contact { s += "<contact>\(XMLLiteTokenizer.escape(c))</contact>" }
            if let n = t.note { s += "<note>\(XMLLiteTokenizer.escape(n))</note>" }
            s += "</tuple>\n"
        }
        if !activities.isEmpty || !notes.isEmpty {
            s += "  <dm:person id=\"p1\">"
            if !activities.isEmpty {
                s += "<rpid:activities>" + activities.map { "<rpid:\($0.rawValue)/>" }.joined() + "</rpid:activities>"
            }
            for n in notes { s += "<dm:note>\(XMLLiteTokenizer.escape(n))</dm:note>" }
            s += "</dm:person>\n"
        }
        s += "</presence>\n"
        return Array(s.utf8)
    }

    /// One document for watchers out of every publisher's (RFC 3903 §4 leaves composition to
    /// policy; this one is Kamailio-like): tuples merged by id (a tuple id published twice is open
    /// if either is), notes and activities unioned in publication order.
    public static func composed(entity: String, _ documents: [PIDFDocument]) -> PIDFDocument {
        var out = PIDFDocument(entity: entity)
        var index: [String: Int] = [:]
        for doc in documents {
            for t in doc.tuples {
                if let at = index[t.id] {
                    if t.basic == .open { out.tuples[at] = t }
                } else {
                    index[t.id] = out.tuples.count
                    out.tuples.append(t)
                }
            }
            for n in doc.notes where !out.notes.contains(n) { out.notes.append(n) }
            for a in doc.activities where !out.activities.contains(a) { out.activities.append(a) }
        }
        return out
    }
}

/// One PIDF tuple.
public struct PIDFTuple: Sendable, Hashable {
    public enum Basic: String, Sendable, Hashable { case open, closed }
    public var id: String
    public var basic: Basic
    public var contact: String?
    public var note: String?

    public init(id: String, basic: Basic, contact: String? = nil, note: String? = nil) {
        self.id = id
        self.basic = basic
        self.contact = contact
        self.note = note
    }
}

/// The RPID activities a BLF/presence panel distinguishes (RFC 4480 §3.2 plus the common
/// `available`/`dnd` tokens phones publish as extensions).
public enum PresenceActivity: String, Sendable, Hashable {
    case available, away, busy, dnd, onThePhone = "on-the-phone", meeting, meal, vacation, unknown
}

/// A PIDF body that could not be read: where and what.
public struct PIDFParseError: Error, Sendable, Hashable {
    public var offset: Int
    public var what: String
}
