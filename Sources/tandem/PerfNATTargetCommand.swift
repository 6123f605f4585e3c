import ArgumentParser
import Foundation
import Perf

/// `tandem perf nat-target`: the "bare nftables" reference of the kernel benchmark (perf/bench-kernel.sh).
struct PerfNATTargetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nat-target",
        abstract: "Benchmark reference: answer ng offer/answer/delete and forward with plain nftables rules (no daemon in the path).",
        discussion: "Installs each call's legs with `nft -f` into its own table (same shape as the relay's kernel path) "
            + "and removes the table on SIGTERM/SIGINT. Needs CAP_NET_ADMIN and ip_forward in its namespace."
    )

    @Option(name: .customLong("listen-ng"), help: "ng address HOST:PORT.") var listenNG: String = "127.0.0.1:2225"
    @Option(help: "Address advertised in SDP (the namespace's address).") var address: String
    @Option(name: .customLong("port-min")) var portMin: Int = 50000
    @Option(name: .customLong("port-max")) var portMax: Int = 59999
    @Option(help: "nftables table name.") var table: String = "tandem_bare"
    @Option(name: .customLong("map-size"), help: "Declared size of every map (default: the relay's, 65535).")
    var mapSize: Int = BareNATRuleset.relayMapSize

    func validate() throws {
        guard IPv4Endpoint(listenNG) != nil else { throw ValidationError("--listen-ng must be IPv4 HOST:PORT") }
        guard IPv4Endpoint(host: address, port: 0) != nil else { throw ValidationError("--address must be IPv4") }
        guard portMin > 0, portMax <= 65535, portMin + 4 <= portMax else { throw ValidationError("bad port range") }
        guard mapSize >= 1 else { throw ValidationError("--map-size must be positive") }
    }

    func run() throws {
        guard let listen = IPv4Endpoint(listenNG) else { return }
        var c = BareNATTarget.Configuration(listen: listen, address: address, portMin: portMin, portMax: portMax)
        c.ruleset = BareNATRuleset(table: table, mapSize: mapSize)
        let target = try BareNATTarget(configuration: c)
        signal(SIGTERM) { _ in NATTargetStop.flag.store(1) }
        signal(SIGINT) { _ in NATTargetStop.flag.store(1) }
        FileHandle.standardError.write(Data("nat-target: ng on \(listenNG), table ip \(table), ports \(portMin)-\(portMax)\n".utf8))
        target.serve { NATTargetStop.flag.load() != 0 }
    }
}

/// Set from the signal handler, read by the serve loop (async-signal-safe: a plain atomic store).
enum NATTargetStop {
    static let flag = SignalFlag()
}

final class SignalFlag: @unchecked Sendable {
    private let pointer: UnsafeMutablePointer<Int32> = {
        let p = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
        p.initialize(to: 0)
        return p
    }()
    func store(_ v: Int32) { pointer.pointee = v }
    func load() -> Int32 { pointer.pointee }
}
