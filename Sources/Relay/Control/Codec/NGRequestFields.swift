/// Everything a request dictionary can say, gathered from its three sources — top-level keys, the `flags` list and
/// the `rtpp-flags` string — before `NGCommand` picks what each command needs.
///
/// Later sources override earlier ones key by key, as in rtpengine, which processes keys in dictionary order.
struct NGRequestFields {
    var command: [UInt8]?
    var callID: String?
    var fromTag: String?
    var toTag: String?
    var viaBranch: String?
    var sdp: [UInt8]?
    var label: String?
    var receivedFrom: NGReceivedFrom?
    var direction: [String] = []
    var ice: NGICEMode?
    var rtcpMux: Set<NGRTCPMuxOption> = []
    var transportProtocol: NGTransportProtocol?
    var replace: Set<NGReplaceOption> = []
    var flags: Set<NGFlag> = []
    var unknownFlags: [String] = []
    var addressFamily: NGAddressFamily?
    var mediaAddress: String?
    var deleteDelay: Int?
    var limit: Int?

    init(_ dict: NGDictionary) throws(NGCommandError) {
        for entry in dict.entries {
            try apply(key: NGKeySpelling.canonical(entry.key), value: entry.value)
        }
    }

    /// Handles one top-level key (already folded); unknown keys are ignored, as rtpengine does.
    mutating func apply(key: String, value: NGValue) throws(NGCommandError) {
        switch key {
        case "command": command = value.bytes
        case "call-id": callID = value.stringValue
        case "from-tag": fromTag = value.stringValue
        case "to-tag": toTag = value.stringValue
        case "via-branch": viaBranch = value.stringValue
        case "sdp": sdp = value.bytes
        case "label", "from-label": label = value.stringValue
        case "received-from": receivedFrom = try NGRequestFields.receivedFrom(value)
        case "direction":
            if let list = value.listValue {
                direction = list.compactMap(\.stringValue)
            } else if let s = value.stringValue {
                direction.append(s)
            }
        case "from-interface": setDirection(0, value.stringValue)
        case "to-interface": setDirection(1, value.stringValue)
        case "ice":
            for item in NGRequestFields.strings(value) {
                let word = NGKeySpelling.canonical(item)
                if let mode = NGICEMode(rawValue: word) {
                    ice = mode
                } else if word == "trickle" {
                    flags.insert(.trickleICE)
                }
            }
        case "rtcp-mux":
            for item in NGRequestFields.strings(value) { applyRTCPMux(NGKeySpelling.canonical(item), raw: item) }
        case "transport-protocol":
            if let s = value.stringValue { transportProtocol = NGTransportProtocol(s) }
        case "replace":
            for item in NGRequestFields.strings(value) { applyReplace(NGKeySpelling.canonical(item), raw: item) }
        case "flags":
            for item in NGRequestFields.strings(value) { applyFlag(item) }
        case "rtpp-flags":
            if let b = value.bytes { try NGRTPPFlagsParser.apply(b, to: &self) }
        case "address-family":
            if let s = value.stringValue { addressFamily = NGAddressFamily(caseInsensitive: s) }
        case "media-address": mediaAddress = value.stringValue
        case "delete-delay": deleteDelay = value.integerValue.flatMap { Int(exactly: $0) }
        case "limit": limit = value.integerValue.flatMap { Int(exactly: $0) }
        default: break
        }
    }

    /// Handles one entry of `flags` (or a bare word of `rtpp-flags`), including the prefixed forms
    /// `replace-<option>` and `rtcp-mux-<option>`.
    mutating func applyFlag(_ raw: String) {
        let word = NGKeySpelling.canonical(raw)
        if let flag = NGFlag.named(word) {
            flags.insert(flag)
        } else if word.hasPrefix("replace-") {
            applyReplace(String(word.dropFirst("replace-".count)), raw: raw)
        } else if word.hasPrefix("rtcp-mux-") {
            applyRTCPMux(String(word.dropFirst("rtcp-mux-".count)), raw: raw)
        } else if !word.isEmpty {
            unknownFlags.append(raw)
        }
    }

    private mutating func applyReplace(_ word: String, raw: String) {
        switch word {
        case "force-increment-sdp-ver", "force-increment-sdp-version": replace.insert(.forceIncrementSDPVersion)
        default:
            if let option = NGReplaceOption(rawValue: word) { replace.insert(option) } else { unknownFlags.append(raw) }
        }
    }

    private mutating func applyRTCPMux(_ word: String, raw: String) {
        if let option = NGRTCPMuxOption(rawValue: word) { rtcpMux.insert(option) } else { unknownFlags.append(raw) }
    }

    private mutating func setDirection(_ index: Int, _ name: String?) {
        guard let name else { return }
        while direction.count <= index { direction.append("") }
        direction[index] = name
    }

    /// A list of strings, or a single string treated as a one-element list.
    static func strings(_ value: NGValue) -> [String] {
        if let list = value.listValue { return list.compactMap(\.stringValue) }
        if let s = value.stringValue { return [s] }
        return []
    }

    /// `["IP4", "1.2.3.4"]`, or the string forms `"IP4 1.2.3.4"` / `"1.2.3.4"` (family guessed from the address).
    static func receivedFrom(_ value: NGValue) throws(NGCommandError) -> NGReceivedFrom {
        if let list = value.listValue {
            guard list.count == 2, let fam = list[0].stringValue, let addr = list[1].stringValue,
                  let family = NGAddressFamily(caseInsensitive: fam)
            else { throw .invalidValue(key: "received-from") }
            return NGReceivedFrom(family: family, address: addr)
        }
        guard let s = value.stringValue, !s.isEmpty else { throw .invalidValue(key: "received-from") }
        let parts = s.split(separator: " ", omittingEmptySubsequences: true)
        if parts.count == 2 {
            guard let family = NGAddressFamily(caseInsensitive: String(parts[0])) else {
                throw .invalidValue(key: "received-from")
            }
            return NGReceivedFrom(family: family, address: String(parts[1]))
        }
        guard parts.count == 1 else { throw .invalidValue(key: "received-from") }
        return NGReceivedFrom(family: s.contains(":") ? .ipv6 : .ipv4, address: s)
    }
}
