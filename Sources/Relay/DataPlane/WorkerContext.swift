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
