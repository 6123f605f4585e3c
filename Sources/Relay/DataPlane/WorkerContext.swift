import CShims

/// What every worker thread shares with control, whatever its engine: its command queue and wake-up eventfd,
/// its counters, the stream table, and a status word for the startup handshake. Plain pointers, created by
/// `DataPlane` before the thread starts and freed after it has been joined.
struct WorkerContext {
    let index: Int
    let table: UnsafeMutablePointer<tdm_stream>
    let queue: OpaquePointer
    let eventFD: Int32
    /// Written (eventfd +1) after every drain that applied commands, so control can wait for acknowledgements in
    /// `poll` instead of spinning; shared by all workers of a data plane.
    let acknowledgementFD: Int32
    let counters: UnsafeMutablePointer<tdm_worker_counters>
    /// 0 starting, 1 running, 2 exited, negative errno when setup failed.
    let status: UnsafeMutablePointer<Int32>
    /// STUN messages handed to control (single producer: this worker).
    let stunInbox: OpaquePointer
    /// Written (eventfd +1) after a STUN message was put in `stunInbox`; shared by all workers of a data plane.
    let stunFD: Int32

    static let starting: Int32 = 0
    static let running: Int32 = 1
    static let exited: Int32 = 2
}

/// Commands as the worker loop sees them (a C struct from the queue, no allocation).
enum CommandKind {
    static let add = UInt32(TDM_CMD_ADD)
    static let update = UInt32(TDM_CMD_UPDATE)
    static let remove = UInt32(TDM_CMD_REMOVE)
    static let stop = UInt32(TDM_CMD_STOP)
    static let latch = UInt32(TDM_CMD_LATCH)
}

extension WorkerContext {
    /// Pops and applies the queued commands in order, then publishes how far this worker got, so the control
    /// side's tickets complete. Shared by both engines; `apply` returns false to stop draining (after `stop`).
    /// Runs on the command path, never per packet.
    func drainCommands(_ apply: (UnsafeMutablePointer<tdm_command>) -> Bool) {
        var command = tdm_command()
        var position: UInt64 = 0
        var applied = false
        var last: UInt64 = 0
        var keepGoing = true
        while keepGoing && tdm_command_queue_pop(queue, &command, &position) {
            keepGoing = apply(&command)
            tdm_bump(&counters.pointee.commands, 1)
            applied = true
            last = position
        }
        if applied {
            tdm_command_queue_mark_applied(queue, last + 1)
            _ = eventfd_write(acknowledgementFD, 1)
        }
    }
}

extension WorkerContext {
    /// Takes a STUN message (an ICE connectivity check) out of the media path: it goes to control's inbox, which
    /// answers it, and is never forwarded nor seen by the latch (an unauthenticated packet must not steal a
    /// stream). Returns false when `payload` is not STUN, so the caller forwards it as media. The test is a few
    /// byte compares (`STUNHeader.isSTUN`: RTP/RTCP start with version 2, STUN with two zero bits and the magic
    /// cookie), so media pays almost nothing for it; a STUN message costs one copy and one eventfd write.
    @inline(__always)
    func divertSTUN(_ s: UnsafeMutablePointer<tdm_stream>, slot: UInt32, payload: UnsafeRawPointer, length: Int,
                    name: UnsafeRawPointer, nameLength: UInt32) -> Bool {
        guard STUNHeader.isSTUN(payload, count: length) else { return false }
        if tdm_stun_inbox_push(stunInbox, slot, s.pointee.generation, name, nameLength, payload,
                               UInt32(truncatingIfNeeded: length)) {
            tdm_bump(&counters.pointee.stun_diverted, 1)
            _ = eventfd_write(stunFD, 1)
        } else {
            tdm_bump(&counters.pointee.stun_overflows, 1)
        }
        return true
    }
}
