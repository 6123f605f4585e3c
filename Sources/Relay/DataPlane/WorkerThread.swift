import CShims
#if canImport(Glibc)
import Glibc
#endif

/// A plain pthread running one worker loop. Workers are long-lived, CPU-bound and block in the kernel
/// (`io_uring_enter`, `epoll_wait`), so they must not run on Swift's cooperative thread pool.
final class WorkerThread {
    private final class Body {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }

    private var thread = pthread_t()
    private var started = false

    /// Starts `body` on a new thread named `name` (first 15 bytes shown by `top -H`). Returns the pthread error, 0 on success.
    func start(name: String, _ body: @escaping () -> Void) -> Int32 {
        let box = Unmanaged.passRetained(Body {
            tdm_thread_set_name(name)
            body()
        }).toOpaque()
        let result = pthread_create(&thread, nil, { argument in
            guard let argument else { return nil }
            let body = Unmanaged<Body>.fromOpaque(argument).takeRetainedValue()
            body.run()
            return nil
        }, box)
        if result != 0 {
            Unmanaged<Body>.fromOpaque(box).release()
            return result
        }
        started = true
        return 0
    }

    func join() {
        guard started else { return }
        pthread_join(thread, nil)
        started = false
    }
}
