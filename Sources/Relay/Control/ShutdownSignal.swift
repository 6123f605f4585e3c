import CShims
#if canImport(Glibc)
import Glibc
#endif

/// The eventfd the signal handler writes to; set once before the handlers are installed.
nonisolated(unsafe) private var shutdownSignalDescriptor: Int32 = -1
nonisolated(unsafe) private var shutdownSignalNumber: Int32 = 0

/// SIGTERM / SIGINT as an event a thread can wait for. The handler only stores the number and writes to an eventfd
/// (both async-signal-safe), so it works whichever thread the kernel picks — unlike `sigwait`, which needs the
/// signals blocked in every thread, including ones the Swift runtime may already have started.
public enum ShutdownSignal {
    /// Installs the handlers (once).
    public static func install() {
        guard shutdownSignalDescriptor < 0 else { return }
        shutdownSignalDescriptor = eventfd(0, Int32(EFD_CLOEXEC))
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { signal in
            shutdownSignalNumber = signal
            var one: UInt64 = 1
            _ = write(shutdownSignalDescriptor, &one, 8)
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        sigaction(SIGTERM, &action, nil)
        sigaction(SIGINT, &action, nil)
    }

    /// Blocks until SIGTERM or SIGINT arrives; returns the signal number.
    public static func wait() -> Int32 {
        install()
        var value: UInt64 = 0
        while read(shutdownSignalDescriptor, &value, 8) != 8 {}
        return shutdownSignalNumber
    }
}
