import Foundation

/// Starts and reaps child processes with `posix_spawn`.
///
/// Why not Foundation `Process`: the lab must know every child's pid to kill it from an `atexit` hook or a signal
/// handler, must put each child in its own process group (so `kill(-pgid)` also takes down whatever the child
/// forked, e.g. `ip netns exec` → `sh` → daemon), and must reset the signal dispositions the lab itself changes
/// (SIGINT/SIGTERM are set to SIG_IGN while a dispatch source handles them; ignored dispositions survive `exec`).
public enum ChildSpawner {
    /// Spawns `argv` (argv[0] must be an absolute path) as the leader of a new process group, with stdin from
    /// /dev/null and stdout/stderr appended to the given files. Returns the pid, which is also the process group id.
    public static func spawn(_ argv: [String], stdoutPath: String, stderrPath: String) throws -> pid_t {
        guard let executable = argv.first, executable.hasPrefix("/") else {
            throw NetworkLabError.spawnFailed(argv, errno: ENOENT)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        let flags = POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK
        posix_spawnattr_setflags(&attributes, Int16(flags))
        posix_spawnattr_setpgroup(&attributes, 0)
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaulted = sigset_t()
        sigemptyset(&defaulted)
        for signal in [SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2] {
            sigaddset(&defaulted, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaulted)

        var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) }
        cArguments.append(nil)
        defer { for pointer in cArguments { free(pointer) } }

        var pid: pid_t = 0
        let code = posix_spawn(&pid, executable, &actions, &attributes, cArguments, environ)
        guard code == 0 else { throw NetworkLabError.spawnFailed(argv, errno: code) }
        return pid
    }

    /// Non-blocking exit check. When the leader has exited, its process group is SIGKILLed *before* the leader is
    /// reaped: a zombie keeps the pid (and so the pgid) reserved, so the kill cannot hit an unrelated group that
    /// reused the number. Whatever the child left running in its group dies with it.
    static func reapIfExited(_ pid: pid_t) -> ProcessExit? {
        var info = siginfo_t()
        let found = waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT)
        if found != 0 {
            return errno == ECHILD ? .unknown : nil
        }
        guard info._sifields._sigchld.si_pid != 0 else { return nil }
        _ = kill(-pid, SIGKILL)
        var status: Int32 = 0
        let reaped = waitpid(pid, &status, 0)
        return reaped == pid ? ProcessExit(waitStatus: status) : .unknown
    }

    /// Polls `reapIfExited` until the child ends or `timeout` passes; the poll interval grows from 1 ms to 20 ms.
    static func wait(_ pid: pid_t, timeout: Duration) -> ProcessExit? {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        var pause: UInt32 = 1_000
        while true {
            if let exit = reapIfExited(pid) { return exit }
            if clock.now >= deadline { return nil }
            usleep(pause)
            pause = min(pause * 2, 20_000)
        }
    }
}
