/// The keys a command adds to its reply after `result`, kept in the form that is cheapest to write: most replies
/// are bencode, and for those an `offer`/`answer` SDP or a `query`/`delete` body goes straight into the reply's
/// bytes (`BencodeWriter`) instead of through an `NGDictionary` tree (issue 3). JSON replies, and anything that
/// asks for `dictionary`, get the tree, with the same keys in the same order.
enum NGReplyExtra {
    /// Nothing beyond `result`.
    case none
    /// Any keys (`list`, `statistics`).
    case keys(NGDictionary)
    /// `sdp`: the rewritten body of an `offer` or `answer`.
    case sdp([UInt8])
    /// A `query` or `delete` body (`NGQueryReply`), limited to the tags given.
    case call(CallSnapshot, fromTag: String?, toTag: String?)

    /// The keys as a dictionary.
    var dictionary: NGDictionary {
        switch self {
        case .none: return NGDictionary()
        case .keys(let keys): return keys
        case .sdp(let sdp): return ["sdp": .string(sdp)]
        case .call(let call, let fromTag, let toTag): return NGQueryReply.dictionary(call, fromTag: fromTag, toTag: toTag)
        }
    }

    /// A guess of the written size, so the reply buffer is allocated once.
    var estimatedBytes: Int {
        switch self {
        case .none: return 0
        case .keys: return 256
        case .sdp(let sdp): return sdp.count + 16
        case .call(let call, _, _): return 192 + call.monologues.count * 512
        }
    }

    /// The keys as bencode key/value pairs (no surrounding `d`…`e`): the bytes `BencodeEncoder` writes for the
    /// entries of `dictionary`.
    func write(into out: inout BencodeWriter) {
        switch self {
        case .none:
            break
        case .keys(let keys):
            for entry in keys.entries {
                out.string(entry.key)
                out.value(entry.value)
            }
        case .sdp(let sdp):
            out.literal("sdp")
            out.string(sdp)
        case .call(let call, let fromTag, let toTag):
            NGQueryReply.writeEntries(call, fromTag: fromTag, toTag: toTag, into: &out)
        }
    }
}
