import Foundation

/// Runs Swift code with the calling process's network view switched to a lab namespace.
///
/// On Linux the network namespace belongs to a *thread*, not a process: `setns(fd, CLONE_NEWNET)` moves only the
/// calling thread. So each call gets a fresh thread that enters the namespace, runs the closure, and then exits —
/// it is never returned to a pool, so no other work can accidentally run inside the namespace.
///
/// A socket keeps the namespace it was created in for its whole life. A UDP socket opened inside the closure can
/// be returned and then used from any thread: it still sends and receives inside the namespace.
enum NamespaceThread {
    /// Runs `body` on a new thread inside the namespace bind-mounted at `path`; blocks until it returns.
    static func run<T>(namespacePath path: String, _ body: () throws -> T) throws -> T {
        try withoutActuallyEscaping(body) { escapable in
            let job = NamespaceJob(path: path) { try escapable() }
            try job.runOnNewThread()
            return try job.result()
        }
    }
}

/// One closure and its outcome, handed to a pthread. `@unchecked Sendable`: the creating thread waits in
/// `pthread_join` while the new thread uses it, so the two never touch it at the same time.
private final class NamespaceJob<T>: @unchecked Sendable {
    let path: String
    let body: () throws -> T
    private var outcome: Result<T, any Error>?

    init(path: String, body: @escaping () throws -> T) {
        self.path = path
        self.body = body
    }

    func runOnNewThread() throws {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self as AnyObject).toOpaque()
        let created = pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            let object = Unmanaged<AnyObject>.fromOpaque(raw).takeRetainedValue()
            (object as? any NamespaceRunnable)?.enterAndRun()
            return nil
        }, context)
        guard created == 0 else {
            Unmanaged<AnyObject>.fromOpaque(context).release()
            throw NetworkLabError.systemCall("pthread_create", errno: created)
        }
        pthread_join(thread, nil)
    }

    func result() throws -> T {
        guard let outcome else { throw NetworkLabError.systemCall("namespace thread produced no result", errno: EINVAL) }
        return try outcome.get()
    }
}

/// Linux calls that Glibc's Swift module hides behind `_GNU_SOURCE`, looked up at run time.
enum LinuxCalls {
    typealias SetNS = @convention(c) (Int32, Int32) -> Int32
    /// CLONE_NEWNET from <sched.h>.
    static let cloneNewNet: Int32 = 0x4000_0000
    /// `setns(2)` from the C library.
    static let setns: SetNS? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "setns") else { return nil }
        return unsafeBitCast(symbol, to: SetNS.self)
    }()
}

private protocol NamespaceRunnable: AnyObject {
    func enterAndRun()
}

extension NamespaceJob: NamespaceRunnable {
    func enterAndRun() {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            outcome = .failure(NetworkLabError.systemCall("open \(path)", errno: errno))
            return
        }
        defer { close(fd) }
        guard let setns = LinuxCalls.setns, setns(fd, LinuxCalls.cloneNewNet) == 0 else {
            outcome = .failure(NetworkLabError.systemCall("setns \(path)", errno: errno))
            return
        }
        outcome = Result { try body() }
    }
}
