import CShims

/// Control's side of one worker: the memory shared with its thread (queue, eventfd, counters, status word), the
/// engine object the thread runs, and the thread itself. Freed only after the thread was joined.
final class WorkerHandle {
    let index: Int
    let queue: OpaquePointer
    let eventFD: Int32
    let counters: UnsafeMutablePointer<tdm_worker_counters>
    let status: UnsafeMutablePointer<Int32>
    /// STUN messages this worker hands to control (see `WorkerContext.divertSTUN`).
    let stunInbox: OpaquePointer
    let thread = WorkerThread()
    /// The engine object (`URingWorker` / `MMsgWorker`), kept alive for as long as its thread may run.
    var engine: AnyObject?

    init(index: Int, queueCapacity: Int) throws(DataPlaneError) {
        guard let queue = tdm_command_queue_create(UInt32(clamping: queueCapacity)) else {
            throw .systemCall("tdm_command_queue_create", errno: ENOMEM)
        }
        guard let inbox = tdm_stun_inbox_create() else {
            tdm_command_queue_destroy(queue)
            throw .systemCall("tdm_stun_inbox_create", errno: ENOMEM)
        }
        let fd = eventfd(0, Int32(EFD_CLOEXEC))
        guard fd >= 0 else {
            let error = tdm_errno()
            tdm_command_queue_destroy(queue)
            tdm_stun_inbox_destroy(inbox)
            throw .systemCall("eventfd", errno: error)
        }
        stunInbox = inbox
        self.index = index
        self.queue = queue
        eventFD = fd
        counters = .allocate(capacity: 1)
        counters.initialize(to: tdm_worker_counters())
        status = .allocate(capacity: 1)
        status.initialize(to: WorkerContext.starting)
    }

    func context(table: StreamTable, acknowledgementFD: Int32, stunFD: Int32) -> WorkerContext {
        WorkerContext(index: index, table: table.base, queue: queue, eventFD: eventFD,
                      acknowledgementFD: acknowledgementFD, counters: counters, status: status,
                      stunInbox: stunInbox, stunFD: stunFD)
    }

    /// Queues a command and, unless `wake` is false, wakes the worker. Returns the command's queue position, nil
    /// when the queue is full. A caller that does not wake must call `wake()` later (see
    /// `DataPlane.beginCommandBatch`).
    func send(_ command: inout tdm_command, wake: Bool = true) -> UInt64? {
        let position = tdm_command_queue_push(queue, &command)
        guard position >= 0 else { return nil }
        if wake { self.wake() }
        return UInt64(position)
    }

    /// Wakes the worker so that it drains its queue.
    func wake() {
        _ = eventfd_write(eventFD, 1)
    }

    var currentStatus: Int32 { tdm_load_acquire_i32(status) }

    /// Waits (bounded) for the thread to leave the `starting` state; returns the status it reached.
    func awaitStartup(timeoutNanoseconds: UInt64) -> Int32 {
        let deadline = tdm_coarse_now_ns() &+ timeoutNanoseconds
        while true {
            let current = currentStatus
            if current != WorkerContext.starting || tdm_coarse_now_ns() >= deadline { return current }
            usleep(200)
        }
    }

    deinit {
        close(eventFD)
        tdm_command_queue_destroy(queue)
        tdm_stun_inbox_destroy(stunInbox)
        counters.deallocate()
        status.deallocate()
    }
}
