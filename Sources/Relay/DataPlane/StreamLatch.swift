import CShims

/// Outcome of source latching for one received datagram.
enum LatchVerdict: UInt8 {
    case accept
    case dropStrictSource
    case dropBleed
}

/// The per-packet forwarding policy, sans I/O: operates on a stream slot and a source address, with the time
/// passed in (the worker reads the coarse clock once per batch). Both engines call exactly these two functions,
/// which is what keeps their semantics identical.
///
/// Latching rules (rtpengine-like, with RTP-bleed protection):
/// 1. First packet: learn its source, open the learning window (locks at once with `.strictSource` or a
///    one-packet window).
/// 2. Same source as learned: accept; close the window when its packet or time limit is reached.
/// 3. Different source: `.strictSource` drops it; an open window re-learns it; `.mediaHandover` re-learns it;
///    otherwise it is dropped as bleed (the stream is not stolen).
/// 4. A source equal to the stream's advertised (SDP) endpoint locks at once, whether it is the first packet or
///    arrives during the window: signalling already vouched for it, so there is nothing left to learn (rtpengine's
///    "heuristic" learning treats this best match the same way). Without this, every stream of a peer that is
///    not behind NAT spent its first 3 s in learning, and the kernel offload, which needs both sides locked,
///    waited for that window.
enum StreamLatch {
    ///
    /// `counters` (the worker's) counts every latch that becomes locked (`latch_locks`): the kernel offload check
    /// runs only when that count moved, instead of re-reading every pending rule's latches ten times a second.
    @inline(__always)
    static func admit(_ s: UnsafeMutablePointer<tdm_stream>, source: UnsafeRawPointer, sourceLength: UInt32,
                      now: UInt64, counters: UnsafeMutablePointer<tdm_worker_counters>? = nil) -> LatchVerdict {
        let flags = s.pointee.flags
        let strict = flags & UInt32(TDM_FWD_STRICT_SOURCE) != 0
        switch s.pointee.latch {
        case UInt32(TDM_LATCH_NONE):
            tdm_endpoint_set(&s.pointee.learned, source, sourceLength)
            s.pointee.learn_started_ns = now
            s.pointee.learn_packets_seen = 1
            s.pointee.latch = UInt32(TDM_LATCH_LEARNING)
            if strict || windowClosed(s, now: now) || isAdvertised(s, source: source, sourceLength: sourceLength) {
                lock(s, counters)
            }
            tdm_stream_publish(s)
            return .accept
        default:
            var learning = s.pointee.latch == UInt32(TDM_LATCH_LEARNING)
            if learning && windowClosed(s, now: now) {
                lock(s, counters)
                learning = false
                tdm_stream_publish(s)
            }
            if tdm_endpoint_matches(&s.pointee.learned, source, sourceLength) {
                if learning {
                    s.pointee.learn_packets_seen &+= 1
                    if windowClosed(s, now: now) || isAdvertised(s, source: source, sourceLength: sourceLength) {
                        lock(s, counters)
                        tdm_stream_publish(s)
                    }
                }
                return .accept
            }
            if strict { return .dropStrictSource }
            let handover = flags & UInt32(TDM_FWD_MEDIA_HANDOVER) != 0
            guard learning || handover else { return .dropBleed }
            tdm_endpoint_set(&s.pointee.learned, source, sourceLength)
            tdm_stream_source_changed(s)
            if learning {
                s.pointee.learn_packets_seen &+= 1
                if windowClosed(s, now: now) || isAdvertised(s, source: source, sourceLength: sourceLength) {
                    lock(s, counters)
                }
            }
            tdm_stream_publish(s)
            return .accept
        }
    }

    @inline(__always)
    static func lock(_ s: UnsafeMutablePointer<tdm_stream>, _ counters: UnsafeMutablePointer<tdm_worker_counters>?) {
        s.pointee.latch = UInt32(TDM_LATCH_LOCKED)
        if let counters { tdm_bump(&counters.pointee.latch_locks, 1) }
    }

    /// True when `source` is the stream's advertised endpoint (asymmetric streams excepted: their advertised
    /// endpoint says where to send, not where packets come from).
    @inline(__always)
    static func isAdvertised(_ s: UnsafeMutablePointer<tdm_stream>, source: UnsafeRawPointer,
                             sourceLength: UInt32) -> Bool {
        guard s.pointee.flags & UInt32(TDM_FWD_ASYMMETRIC) == 0 else { return false }
        return tdm_endpoint_matches(&s.pointee.advertised, source, sourceLength)
    }

    @inline(__always)
    static func windowClosed(_ s: UnsafeMutablePointer<tdm_stream>, now: UInt64) -> Bool {
        let limit = s.pointee.learn_packets_limit
        if limit != 0 && s.pointee.learn_packets_seen >= limit { return true }
        let window = s.pointee.learn_window_ns
        return window != 0 && now &- s.pointee.learn_started_ns >= window
    }

    /// Writes where packets sent from `peer`'s socket go — the peer's learned source, or its advertised endpoint
    /// when it has learned nothing or is asymmetric — as an address for the peer socket's family. Returns the
    /// address length, 0 when there is no usable destination.
    @inline(__always)
    static func destination(from peer: UnsafeMutablePointer<tdm_stream>,
                            into out: UnsafeMutablePointer<sockaddr_in6>) -> UInt32 {
        let asymmetric = peer.pointee.flags & UInt32(TDM_FWD_ASYMMETRIC) != 0
        if asymmetric || peer.pointee.latch == UInt32(TDM_LATCH_NONE) {
            return tdm_endpoint_for_sender(&peer.pointee.advertised, peer.pointee.family, out)
        }
        return tdm_endpoint_for_sender(&peer.pointee.learned, peer.pointee.family, out)
    }
}
