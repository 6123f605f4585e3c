/// A call written down compactly enough to rebuild it after a crash: the kernel keeps forwarding offloaded calls
/// when the relay dies, and the restarted relay re-adopts them from its journal (see `SessionTable.restore`).
///
/// What survives: Call-ID, creation time, every monologue (tag, aliases, via-branch, peer, interface) and every
/// media section (type, protocol, direction, advertised endpoints, rtcp-mux state, learning flags) with the exact
/// relay ports. What does not: counters before the crash that the kernel did not count (userspace packets), the
/// learned sources (the kernel table holds them), pending delayed deletes, the cookie cache.
///
/// Encoded as one line of space-separated tokens (strings in hex, so Call-IDs and tags may hold any byte) so that a
/// journal is plain append-only text. Sans I/O.
public struct CallRecord: Hashable, Sendable {
    var callID: String
    var created: SessionTime
    var monologues: [Monologue]
    var nextMonologueID: UInt32

    /// The record's line (no newline).
    public func encoded() -> String {
        var tokens: [String] = ["c1", CallRecord.hex(callID), String(created.microseconds), String(nextMonologueID),
                                String(monologues.count)]
        for monologue in monologues.sorted(by: { $0.id < $1.id }) {
            tokens += [String(monologue.id), CallRecord.optionalHex(monologue.tag), monologue.peer.map(String.init) ?? "-",
                       String(monologue.interface.rawValue), CallRecord.optionalHex(monologue.viaBranch),
                       monologue.portLatching ? "1" : "0", String(monologue.aliases.count)]
            tokens += monologue.aliases.map(CallRecord.hex)
            tokens.append(String(monologue.medias.count))
            for media in monologue.medias {
                tokens += [String(media.index), CallRecord.hex(media.mediaType), CallRecord.hex(media.transportProtocol),
                           media.direction.rawValue, String(media.interface.rawValue),
                           media.advertised.map { CallRecord.hex($0.address.description) } ?? "-",
                           String(media.advertised?.port ?? 0), media.advertisedRTCPPort.map(String.init) ?? "-",
                           CallRecord.bits([media.offeredMux, media.muxOfferedToSide, media.mux, media.muxSettled]),
                           String(media.muxPolicy.rawValue), String(media.learning.rawValue), media.ice.rawValue,
                           media.rtp.map { String($0.local.port) } ?? "-",
                           media.rtcp.map { $0.muxed ? "m" : String($0.local.port) } ?? "-"]
            }
        }
        return tokens.joined(separator: " ")
    }

    /// Parses a line written by `encoded()`; nil when it is not one (a torn write at a crash).
    public init?(decoding line: Substring) {
        var cursor = line.split(separator: " ", omittingEmptySubsequences: true).makeIterator()
        func next() -> Substring? { cursor.next() }
        func int<T: FixedWidthInteger>(_ type: T.Type) -> T? { next().flatMap { T($0) } }
        guard next() == "c1", let callID = next().flatMap(CallRecord.unhex), let created = int(Int64.self),
              let nextID = int(UInt32.self), let count = int(Int.self), count >= 0, count <= 64 else { return nil }
        var monologues: [Monologue] = []
        for _ in 0..<count {
            guard let id = int(UInt32.self), let tagToken = next(), let peerToken = next(),
                  let interface = int(UInt16.self), let branchToken = next(), let latching = next(),
                  let aliasCount = int(Int.self), aliasCount >= 0, aliasCount <= 64 else { return nil }
            var monologue = Monologue(id: id, tag: CallRecord.optionalUnhex(tagToken) ?? nil,
                                      created: SessionTime(microseconds: created), interface: InterfaceID(interface))
            monologue.peer = peerToken == "-" ? nil : UInt32(peerToken)
            monologue.viaBranch = CallRecord.optionalUnhex(branchToken) ?? nil
            monologue.portLatching = latching == "1"
            for _ in 0..<aliasCount {
                guard let alias = next().flatMap(CallRecord.unhex) else { return nil }
                monologue.aliases.append(alias)
            }
            guard let mediaCount = int(Int.self), mediaCount >= 0, mediaCount <= 256 else { return nil }
            for _ in 0..<mediaCount {
                guard let index = int(Int.self), let type = next().flatMap(CallRecord.unhex),
                      let proto = next().flatMap(CallRecord.unhex),
                      let direction = next().flatMap({ MediaFlowDirection(rawValue: String($0)) }),
                      let mediaInterface = int(UInt16.self), let addressToken = next(), let port = int(UInt16.self),
                      let rtcpPortToken = next(), let bits = next(), bits.utf8.count == 4,
                      let policy = int(UInt8.self), let learning = int(UInt8.self),
                      let ice = next().flatMap({ ICEHandling(rawValue: String($0)) }),
                      let rtpToken = next(), let rtcpToken = next() else { return nil }
                var media = MediaSection(index: index, mediaType: type, transportProtocol: proto,
                                         interface: InterfaceID(mediaInterface))
                media.direction = direction
                if addressToken != "-" {
                    guard let text = CallRecord.unhex(addressToken), let address = MediaAddress(parsing: text) else {
                        return nil
                    }
                    media.advertised = MediaEndpoint(address: address, port: port)
                }
                media.advertisedRTCPPort = rtcpPortToken == "-" ? nil : UInt16(rtcpPortToken)
                let flags = Array(bits.utf8).map { $0 == UInt8(ascii: "1") }
                media.offeredMux = flags[0]
                media.muxOfferedToSide = flags[1]
                media.mux = flags[2]
                media.muxSettled = flags[3]
                media.muxPolicy = RTCPMuxPolicy(rawValue: policy)
                media.learning = LearningFlags(rawValue: learning)
                media.ice = ice
                if rtpToken != "-" {
                    guard let rtpPort = UInt16(rtpToken) else { return nil }
                    // Stream ids and sockets are assigned by `SessionTable.restore`; the ports are kept here.
                    let placeholder = LocalSocket(interface: InterfaceID(mediaInterface), address: .v4(0), port: rtpPort)
                    media.rtp = PacketStream(id: MediaStreamID(0), kind: .rtp, local: placeholder, muxed: false)
                    if rtcpToken == "m" {
                        media.rtcp = PacketStream(id: MediaStreamID(0), kind: .rtcp, local: placeholder, muxed: true)
                    } else if let rtcpPort = UInt16(rtcpToken) {
                        var socket = placeholder
                        socket.port = rtcpPort
                        media.rtcp = PacketStream(id: MediaStreamID(0), kind: .rtcp, local: socket, muxed: false)
                    }
                }
                monologue.store(media)
            }
            monologues.append(monologue)
        }
        guard next() == nil else { return nil }
        self.callID = callID
        self.created = SessionTime(microseconds: created)
        self.monologues = monologues
        self.nextMonologueID = nextID
    }

    init(_ call: Call) {
        callID = call.callID
        created = call.created
        monologues = call.orderedMonologues
        nextMonologueID = call.nextMonologueID
    }

    public var callIdentifier: String { callID }

    static func bits(_ flags: [Bool]) -> String { String(flags.map { $0 ? "1" : "0" }.joined()) }

    static func optionalHex(_ text: String?) -> String { text.map(hex) ?? "-" }

    /// `-` is nil; anything else must be hex. The outer optional says whether it parsed.
    static func optionalUnhex(_ token: Substring) -> String?? {
        token == "-" ? .some(nil) : unhex(token).map { .some($0) }
    }

    static func hex(_ text: String) -> String {
        guard !text.isEmpty else { return "=" }
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count * 2)
        for byte in text.utf8 {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func unhex(_ token: Substring) -> String? {
        if token == "=" { return "" }
        let bytes = Array(token.utf8)
        guard bytes.count % 2 == 0 else { return nil }
        func nibble(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 0x30...0x39: return byte - 0x30
            case 0x61...0x66: return byte - 0x61 + 10
            default: return nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count / 2)
        var index = 0
        while index < bytes.count {
            guard let high = nibble(bytes[index]), let low = nibble(bytes[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return String(decoding: out, as: UTF8.self)
    }
}
