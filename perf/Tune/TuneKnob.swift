/// A relay setting `perf tune` can sweep: its config-file key (also the `tandem relay --key` flag) and the values
/// worth trying on one box.
public struct TuneKnob: Sendable, Equatable, Codable {
    public var key: String
    public var values: [String]
    public var meaning: String

    public init(key: String, values: [String], meaning: String) {
        self.key = key
        self.values = values
        self.meaning = meaning
    }

    /// Knobs that only mean something to the io_uring engine: a one-at-a-time sweep skips them once mmsg won.
    public static let uringOnly: Set<String> = ["ring-entries", "buffer-count"]

    /// Everything the issue asks to sweep, the relay's default value first (so the first trial is the default
    /// configuration, and every other trial is measured against it). Only the knobs whose key the relay's config file accepts are swept;
    /// the rest are reported as skipped, so the list grows by itself when the relay gains an option.
    public static let wanted: [TuneKnob] = [
        TuneKnob(key: "io-engine", values: ["uring", "mmsg"], meaning: "io_uring or recvmmsg/sendmmsg"),
        TuneKnob(key: "num-threads", values: ["1", "2"], meaning: "data-plane worker threads"),
        TuneKnob(key: "kernel", values: ["off", "auto"], meaning: "nftables offload of established streams"),
        TuneKnob(key: "ring-entries", values: ["4096", "1024", "256"], meaning: "io_uring submission ring size"),
        TuneKnob(key: "buffer-count", values: ["4096", "1024", "16384"], meaning: "receive buffers per worker"),
        TuneKnob(key: "buffer-size", values: ["2048", "1024"], meaning: "bytes per receive buffer"),
        TuneKnob(key: "batch-size", values: ["64", "32", "128"],
                 meaning: "datagrams per recvmmsg/sendmmsg, completions per ring peek"),
    ]

    /// Splits `wanted` into the knobs the relay has (`keys`: `RelayConfigurationFile.keys`) and those it lacks.
    public static func available(in keys: [String], wanted: [TuneKnob] = TuneKnob.wanted) -> (sweep: [TuneKnob], missing: [TuneKnob]) {
        (wanted.filter { keys.contains($0.key) }, wanted.filter { !keys.contains($0.key) })
    }

    /// Every combination of the knobs' values, the first value of every knob first (the cartesian product in
    /// odometer order, last knob fastest).
    public static func combinations(_ knobs: [TuneKnob]) -> [[TuneSetting]] {
        var out: [[TuneSetting]] = [[]]
        for knob in knobs where !knob.values.isEmpty {
            out = out.flatMap { prefix in knob.values.map { prefix + [TuneSetting(key: knob.key, value: $0)] } }
        }
        return out
    }
}

/// One key = value of a trial.
public struct TuneSetting: Sendable, Equatable, Codable {
    public var key: String
    public var value: String
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}
