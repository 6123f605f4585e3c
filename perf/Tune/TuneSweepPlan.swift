/// Which configuration `perf tune` tries next. Pure (settings in, settings out), so the order is tested without
/// starting relays.
///
/// Two strategies:
/// - `each` (the default): one knob at a time, the others held at the best value found so far — a coordinate
///   search. Seven knobs with 2–3 values each take about 12 trials instead of the 288 of the full product, which
///   is what fits a sweep of a few minutes on a live media host. It misses interactions between knobs; knobs
///   are ordered so that the ones that change the most (engine, threads, kernel) are settled first.
/// - `grid`: every combination, in odometer order (last knob fastest), for when the budget allows it.
public enum TuneSweepPlan {
    public enum Strategy: String, Sendable, Codable, CaseIterable {
        case each
        case grid
    }

    /// The next settings to try given the trials done so far (in the order they ran), or nil when the sweep is
    /// complete. A configuration already measured is never run twice.
    public static func next(knobs: [TuneKnob], strategy: Strategy, done: [TuneTrial],
                            criteria: TuneSelection.Criteria) -> [TuneSetting]? {
        switch strategy {
        case .grid:
            let all = TuneKnob.combinations(knobs)
            return done.count < all.count ? all[done.count] : nil
        case .each:
            return nextEach(knobs: knobs.filter { !$0.values.isEmpty }, done: done, criteria: criteria)
        }
    }

    /// The number of trials the sweep plans (an upper bound for `each`, which skips io_uring-only knobs when
    /// mmsg wins).
    public static func plannedTrials(knobs: [TuneKnob], strategy: Strategy) -> Int {
        let sweeping = knobs.filter { !$0.values.isEmpty }
        switch strategy {
        case .grid: return sweeping.reduce(1) { $0 * $1.values.count }
        case .each: return sweeping.isEmpty ? 0 : 1 + sweeping.reduce(0) { $0 + $1.values.count - 1 }
        }
    }

    private static func nextEach(knobs: [TuneKnob], done: [TuneTrial], criteria: TuneSelection.Criteria) -> [TuneSetting]? {
        guard !knobs.isEmpty else { return nil }
        var current = knobs.map { TuneSetting(key: $0.key, value: $0.values[0]) }
        for (k, knob) in knobs.enumerated() {
            let engine = current.first { $0.key == "io-engine" }?.value
            if TuneKnob.uringOnly.contains(knob.key), engine == "mmsg" { continue }
            var candidates: [TuneTrial] = []
            for value in knob.values {
                var settings = current
                settings[k].value = value
                guard let trial = done.first(where: { $0.settings == settings }) else { return settings }
                candidates.append(trial)
            }
            if let best = TuneSelection.best(candidates, criteria: criteria) {
                current = candidates[best].settings
            }
        }
        return nil
    }
}
