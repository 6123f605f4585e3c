/// When each call next needs the clock's attention, as a binary min-heap, so a tick touches only the calls that
/// are due instead of scanning the whole table.
///
/// Why: the control thread shares a core with the data-plane workers; a once-a-second pass over every call (~20 ms
/// with 2000 idle calls) stalled packets for that long, which was the relay's p99 latency. A call's deadline is the
/// earliest moment at which `tick` could do anything to it (final timeout, delete delay, media timeout); later
/// packets only move that moment later, so a call checked at its deadline that turns out alive is just scheduled
/// again.
///
/// Rescheduling does not search the heap: the current deadline of each call lives in `current`, and heap entries
/// that disagree with it are stale and dropped when they surface (lazy deletion). The heap is rebuilt when stale
/// entries outnumber live ones, so it stays O(calls).
struct CallDeadlineQueue: Sendable {
    private struct Entry: Sendable {
        var deadline: Int64
        var callID: String
    }

    private var heap: [Entry] = []
    private var current: [String: Int64] = [:]
    /// Heap entries looked at by the last `takeDue` (tests check that a tick with nothing due is O(due)).
    private(set) var lastVisited = 0

    /// Number of calls with a deadline.
    var count: Int { current.count }

    /// The deadline of a call, if it has one (tests).
    func deadline(of callID: String) -> SessionTime? {
        current[callID].map { SessionTime(microseconds: $0) }
    }

    /// Sets (or moves) the call's deadline.
    mutating func schedule(_ callID: String, at deadline: SessionTime) {
        if current[callID] == deadline.microseconds { return }
        current[callID] = deadline.microseconds
        push(Entry(deadline: deadline.microseconds, callID: callID))
        if heap.count > 2 * current.count + 1024 { rebuild() }
    }

    /// Forgets the call (it ended).
    mutating func cancel(_ callID: String) {
        current[callID] = nil
    }

    /// Removes and returns every call whose deadline is at or before `now`, sorted by Call-ID (the order the full
    /// scan used, so outcomes come out in the same order).
    mutating func takeDue(now: SessionTime) -> [String] {
        var due: [String] = []
        var visited = 0
        while let top = heap.first, top.deadline <= now.microseconds {
            visited += 1
            popTop()
            guard current[top.callID] == top.deadline else { continue }
            current[top.callID] = nil
            due.append(top.callID)
        }
        lastVisited = visited
        return due.sorted()
    }

    /// The calls whose deadline is at or before `now`, without taking them (sorted by Call-ID): the driver pulls
    /// fresh data plane reports for exactly these before `takeDue` decides. Walks only the heap's entries at or
    /// before `now` (a heap's children are never earlier than their parent), so the cost is O(due), and calling it
    /// twice changes nothing.
    func peekDue(now: SessionTime) -> [String] {
        var due: [String] = []
        var pending: [Int] = heap.isEmpty ? [] : [0]
        while let index = pending.popLast() {
            let entry = heap[index]
            guard entry.deadline <= now.microseconds else { continue }
            if current[entry.callID] == entry.deadline { due.append(entry.callID) }
            let left = 2 * index + 1
            if left < heap.count { pending.append(left) }
            if left + 1 < heap.count { pending.append(left + 1) }
        }
        // A call moved away from a deadline and back has two live-looking entries for it.
        due.sort()
        var previous: String?
        due.removeAll { callID in
            defer { previous = callID }
            return callID == previous
        }
        return due
    }

    private mutating func rebuild() {
        heap = current.map { Entry(deadline: $0.value, callID: $0.key) }
        guard heap.count > 1 else { return }
        for index in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(index) }
    }

    private mutating func push(_ entry: Entry) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].deadline < heap[parent].deadline else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func popTop() {
        let last = heap.removeLast()
        guard !heap.isEmpty else { return }
        heap[0] = last
        siftDown(0)
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { return }
            var smallest = left
            let right = left + 1
            if right < heap.count, heap[right].deadline < heap[left].deadline { smallest = right }
            guard heap[smallest].deadline < heap[parent].deadline else { return }
            heap.swapAt(smallest, parent)
            parent = smallest
        }
    }
}
