/// A binary min-heap of timer deadlines. Cancelling is lazy: a transaction records the deadline it
/// expects for each timer, and an entry that no longer matches (timer stopped or re-armed, or the
/// transaction gone) is discarded when it surfaces. That keeps arming O(log n) and cancelling free.
struct SIPDeadlineHeap: Sendable {
    struct Entry: Sendable {
        var at: SIPInstant
        var transaction: SIPTransactionID
        var timer: SIPTimerName
    }

    private(set) var entries: [Entry] = []

    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }
    var earliest: SIPInstant? { entries.first?.at }

    mutating func push(_ entry: Entry) {
        entries.append(entry)
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].at < entries[parent].at else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the earliest entry when it is due at `now`.
    mutating func popDue(_ now: SIPInstant) -> Entry? {
        guard let first = entries.first, first.at <= now else { return nil }
        let last = entries.removeLast()
        if !entries.isEmpty {
            entries[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var smallest = parent
                if left < entries.count && entries[left].at < entries[smallest].at { smallest = left }
                if right < entries.count && entries[right].at < entries[smallest].at { smallest = right }
                if smallest == parent { break }
                entries.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return first
    }
}
