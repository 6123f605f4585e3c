/// Whether an offload check can find anything new. A pending rule becomes eligible only when a latch locks (the
/// workers count those) or the rule itself changes (`recheck()`), so a check that sees neither since its last run
/// is skipped.
struct OffloadCheckGate: Sendable {
    private var latchLocks: UInt64 = 0
    private var again = false

    /// True when the check must run; remembers `latchLocks` for the next call.
    mutating func shouldRun(latchLocks current: UInt64) -> Bool {
        guard current != latchLocks || again else { return false }
        latchLocks = current
        again = false
        return true
    }

    /// The next check runs whatever the counter says (a rule changed, or one was skipped to retry).
    mutating func recheck() { again = true }
}
