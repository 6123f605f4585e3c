/// One ng relay in a comparison: a name for the tables, its control address, and how to see its CPU.
public struct CompareTarget: Sendable, Equatable {
    public var name: String
    public var relay: IPv4Endpoint
    /// Relay process, for its own CPU time (`/proc/PID/stat`).
    public var pid: Int32?
    /// The core the relay (and the forwarding softirq) runs on, for the core's busy time.
    public var core: Int?

    public init(name: String, relay: IPv4Endpoint, pid: Int32? = nil, core: Int? = nil) {
        self.name = name
        self.relay = relay
        self.pid = pid
        self.core = core
    }

    /// `NAME=HOST:PORT[,pid=N][,core=N]`, or just `HOST:PORT` (named by its address).
    public init?(argument: String) {
        var parts = argument.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard !parts.isEmpty else { return nil }
        var head = parts.removeFirst()
        var name: String?
        if let eq = head.firstIndex(of: "=") {
            name = String(head[..<eq])
            head = String(head[head.index(after: eq)...])
        }
        guard let endpoint = IPv4Endpoint(head), name.map({ !$0.isEmpty }) ?? true else { return nil }
        self.init(name: name ?? head, relay: endpoint)
        for part in parts {
            guard let eq = part.firstIndex(of: "=") else { return nil }
            let key = part[..<eq], value = part[part.index(after: eq)...]
            switch key {
            case "pid": guard let p = Int32(value), p > 0 else { return nil }; pid = p
            case "core": guard let c = Int(value), c >= 0 else { return nil }; core = c
            default: return nil
            }
        }
    }
}
