/// One party of a dialogue (rtpengine's `call_monologue`), known by its SIP tag: the From-tag for the caller, the
/// To-tag for the callee (unknown until the answer). Holds that party's media sections by index.
struct Monologue: Hashable, Sendable {
    let id: UInt32
    /// Nil for the recipient of an initial offer until the answer names it.
    var tag: String?
    /// Earlier To-tags of this side (a later answer from another fork replaced them); still accepted in lookups.
    var aliases: [String] = []
    var viaBranch: String?
    let created: SessionTime
    /// The other party of the dialogue.
    var peer: UInt32?
    /// The interface this party talks to, chosen by the offer that created it.
    var interface: InterfaceID
    /// Media sections sorted by index.
    var medias: [MediaSection] = []
    /// Set while a branch delete waits for its delay.
    var deleteAt: SessionTime?
    var portLatching = false
    /// ng `label` of the messages this party sent (the latest one wins), reported by `query`.
    var label: String?
    /// `replace: SDP-version`: what the relay last sent *to* this party (see `SentSDPVersion`).
    var sentSDPVersion: SentSDPVersion?

    init(id: UInt32, tag: String?, created: SessionTime, interface: InterfaceID) {
        self.id = id
        self.tag = tag
        self.created = created
        self.interface = interface
    }

    func answers(to tag: String) -> Bool {
        self.tag == tag || aliases.contains(tag)
    }

    func mediaPosition(_ index: Int) -> Int? {
        medias.firstIndex { $0.index == index }
    }

    func media(_ index: Int) -> MediaSection? {
        mediaPosition(index).map { medias[$0] }
    }

    /// Inserts or replaces the section with the same index, keeping index order.
    mutating func store(_ section: MediaSection) {
        if let position = mediaPosition(section.index) {
            medias[position] = section
        } else {
            let position = medias.firstIndex { $0.index > section.index } ?? medias.count
            medias.insert(section, at: position)
        }
    }
}

extension Monologue {
    /// Applies `change` in place to the stream `id` of media `mediaIndex` (nothing when it is not there).
    mutating func modifyStream(_ id: MediaStreamID, mediaIndex: Int, kind: StreamKind,
                               _ change: (inout PacketStream) -> Void) {
        guard let position = mediaPosition(mediaIndex) else { return }
        switch kind {
        case .rtp:
            guard var stream = medias[position].rtp, stream.id == id else { return }
            change(&stream)
            medias[position].rtp = stream
        case .rtcp:
            guard var stream = medias[position].rtcp, stream.id == id else { return }
            change(&stream)
            medias[position].rtcp = stream
        }
    }
}
