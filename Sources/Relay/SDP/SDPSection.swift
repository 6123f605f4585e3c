/// What session-level and media-level parts of an SDP body have in common: an ordered run of lines, of which the
/// codec understands some (`c=`, `b=`, direction, ICE, security attributes) and keeps the rest untouched.
///
/// Typed views are computed from the lines on each call, so they can never disagree with what will be serialized.
/// Mutators replace, insert or remove whole lines; lines they do not target keep their original bytes.
public protocol SDPSection: Sendable {
    /// The section's lines in order (for a media section the first is its `m=` line).
    var lines: [SDPLine] { get set }
    /// Line end used for inserted lines, taken from the body so LF-only bodies stay LF-only.
    var lineTerminator: SDPLineTerminator { get }
    /// Line types after which a new `c=` line goes (RFC 8866 field order).
    static var connectionPredecessors: [UInt8] { get }
}

extension SDPSection {
    // MARK: Reading

    /// The value of the first `a=<name>:<value>` line (empty slice for a property attribute `a=<name>`).
    public func attributeValue(_ name: String) -> ArraySlice<UInt8>? {
        for line in lines where line.isAttribute(name) {
            return line.attributeValue ?? []
        }
        return nil
    }

    /// Values of every `a=<name>` line, in order (empty slices for property attributes).
    public func attributeValues(_ name: String) -> [ArraySlice<UInt8>] {
        lines.compactMap { $0.isAttribute(name) ? ($0.attributeValue ?? []) : nil }
    }

    public func hasAttribute(_ name: String) -> Bool { lines.contains { $0.isAttribute(name) } }

    /// This section's own `c=` line (not inherited).
    public var connection: SDPConnection? {
        guard let line = lines.first(where: { $0.type == UInt8(ascii: "c") }) else { return nil }
        return try? SDPConnection.parse(line.content)
    }

    public var bandwidths: [SDPBandwidth] {
        lines.compactMap { $0.type == UInt8(ascii: "b") ? try? SDPBandwidth.parse($0.content) : nil }
    }

    /// This section's own direction attribute, if any (the last one wins if several are present).
    public var direction: SDPDirection? {
        var result: SDPDirection?
        for line in lines {
            if let name = line.attributeName, let d = SDPDirection(attributeName: name) { result = d }
        }
        return result
    }

    public var ice: SDPICEAttributes {
        var ice = SDPICEAttributes()
        for line in lines {
            guard let name = line.attributeName else { continue }
            let value = line.attributeValue ?? []
            if SDPBytes.equalsIgnoringCase(name, "candidate") {
                if let c = SDPCandidate.parse(value) { ice.candidates.append(c) }
            } else if SDPBytes.equalsIgnoringCase(name, "ice-ufrag") {
                ice.ufrag = Array(value)
            } else if SDPBytes.equalsIgnoringCase(name, "ice-pwd") {
                ice.pwd = Array(value)
            } else if SDPBytes.equalsIgnoringCase(name, "ice-options") {
                ice.options.append(contentsOf: SDPBytes.tokens(value).map { Array($0) })
            } else if SDPBytes.equalsIgnoringCase(name, "end-of-candidates") {
                ice.endOfCandidates = true
            } else if SDPBytes.equalsIgnoringCase(name, "ice-lite") {
                ice.lite = true
            }
        }
        return ice
    }

    public var cryptos: [SDPCrypto] { attributeValues("crypto").compactMap { SDPCrypto.parse($0) } }
    public var fingerprint: SDPFingerprint? { attributeValue("fingerprint").flatMap { SDPFingerprint.parse($0) } }
    public var setup: SDPSetupRole? { attributeValue("setup").map { SDPSetupRole($0) } }

    // MARK: Rewriting

    /// Inserts a line, keeping a final line without terminator last (the inserted line takes over "no terminator").
    public mutating func insertLine(_ line: SDPLine, at index: Int) {
        var line = line
        line.terminator = lineTerminator
        if index == lines.count, index > 0, lines[index - 1].terminator == .absent {
            lines[index - 1].terminator = lineTerminator
            line.terminator = .absent
        }
        lines.insert(line, at: index)
    }

    /// Appends a line after the last non-blank line of the section.
    public mutating func appendLine(_ line: SDPLine) {
        var index = lines.count
        while index > 0, lines[index - 1].type == 0 { index -= 1 }
        insertLine(line, at: index)
    }

    /// Removes every `a=<name>` line; returns how many were removed.
    @discardableResult
    public mutating func removeAttributes(named name: String) -> Int {
        removeLines { $0.isAttribute(name) }
    }

    /// Removes matching lines; if the removed line was the unterminated last line, the new last line inherits that.
    @discardableResult
    public mutating func removeLines(where predicate: (SDPLine) -> Bool) -> Int {
        let lastWasUnterminated = lines.last?.terminator == .absent
        let before = lines.count
        lines.removeAll(where: predicate)
        if lastWasUnterminated, lines.count < before, !lines.isEmpty {
            lines[lines.count - 1].terminator = .absent
        }
        return before - lines.count
    }

    /// Replaces the first `a=<name>` line's value, or appends the attribute if absent.
    public mutating func setAttribute(_ name: String, value: [UInt8]?) {
        let line = SDPLine.attribute(name, value: value, terminator: lineTerminator)
        if let i = lines.firstIndex(where: { $0.isAttribute(name) }) {
            lines[i].content = line.content
        } else {
            appendLine(line)
        }
    }

    /// Points this section's `c=` at `address` (inserting `c=` in RFC order if absent). A multicast suffix is
    /// dropped: the relay address is unicast.
    public mutating func setConnection(_ address: SDPAddress) {
        let content = address.connectionBytes[...]
        if let i = lines.firstIndex(where: { $0.type == UInt8(ascii: "c") }) {
            lines[i].content = content
            return
        }
        var index = 0
        for (i, line) in lines.enumerated() where Self.connectionPredecessors.contains(line.type) { index = i + 1 }
        insertLine(SDPLine(type: UInt8(ascii: "c"), content: content, terminator: lineTerminator), at: index)
    }

    /// Sets the direction attribute: rewrites the existing one in place (removing duplicates) or appends one.
    public mutating func setDirection(_ direction: SDPDirection) {
        let isDirection: (SDPLine) -> Bool = { line in
            line.attributeName.map { SDPDirection(attributeName: $0) != nil } ?? false
        }
        guard let first = lines.firstIndex(where: isDirection) else {
            appendLine(.attribute(direction.rawValue, terminator: lineTerminator))
            return
        }
        lines[first].content = Array(direction.rawValue.utf8)[...]
        var i = lines.count - 1
        while i > first {
            if isDirection(lines[i]) {
                if i == lines.count - 1, lines[i].terminator == .absent { lines[i - 1].terminator = .absent }
                lines.remove(at: i)
            }
            i -= 1
        }
    }

    /// Removes all ICE attributes (candidates, credentials, options, lite, end-of-candidates).
    @discardableResult
    public mutating func removeICE() -> Int {
        removeLines { line in
            SDPICEAttributes.attributeNames.contains { line.isAttribute($0) }
        }
    }
}
