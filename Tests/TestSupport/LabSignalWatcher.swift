import Foundation

/// Write end of the self-pipe; written only by `labSignalHandler`, set once before any handler is installed.
nonisolated(unsafe) private var signalPipeWriteEnd: Int32 = -1

/// The async-signal-safe part: forward the signal number through the pipe and return.
private func labSignalHandler(_ signal: Int32) {
    var byte = UInt8(truncatingIfNeeded: signal)
    _ = write(signalPipeWriteEnd, &byte, 1)
}

/// Turns SIGINT/SIGTERM/SIGHUP into a call on an ordinary thread (self-pipe trick), where cleanup may take locks,
/// allocate and make system calls, none of which is allowed inside a signal handler.
///
/// Not a libdispatch signal source: on Linux that needs the signal ignored or blocked process-wide, which would
/// change how the test runner and its children react to ^C. A signal that was already ignored when the lab
/// started (e.g. SIGINT for a background job) is left ignored.
enum LabSignalWatcher {
    nonisolated(unsafe) private static var previous: [Int32: sigaction] = [:]

    static func install(signals: [Int32], onSignal: @escaping @Sendable (Int32) -> Void) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return }
        // Close-on-exec, or every spawned child would inherit the pipe.
        _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
        signalPipeWriteEnd = ends[1]
        let readEnd = ends[0]
        for signal in signals {
            var old = sigaction()
            guard sigaction(signal, nil, &old) == 0 else { continue }
            if unsafeBitCast(old.__sigaction_handler.sa_handler, to: Int.self) == 1 { continue }   // SIG_IGN
            var action = sigaction()
            action.__sigaction_handler.sa_handler = labSignalHandler
            sigemptyset(&action.sa_mask)
            action.sa_flags = Int32(SA_RESTART)
            previous[signal] = old
            _ = sigaction(signal, &action, nil)
        }
        let thread = Thread {
            while true {
                var byte: UInt8 = 0
                let count = read(readEnd, &byte, 1)
                if count == 1 { onSignal(Int32(byte)) } else if count < 0 && errno != EINTR { return }
            }
        }
        thread.name = "tandem-lab-signals"
        thread.start()
    }

    /// Restores what the signal did before the lab and sends it again, so the process ends (or the runner's own
    /// handler runs) exactly as it would have without the lab.
    static func resendWithPreviousDisposition(_ signal: Int32) {
        if var old = previous[signal] {
            _ = sigaction(signal, &old, nil)
        } else {
            _ = Glibc.signal(signal, SIG_DFL)
        }
        _ = kill(getpid(), signal)
    }
}
