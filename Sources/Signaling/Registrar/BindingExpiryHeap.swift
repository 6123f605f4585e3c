/// Min-heap of (expiry, key) so that expiring bindings costs O(expired · log n) per sweep instead
/// of a scan. Entries are not removed when a binding is refreshed or deleted: the sweep checks the
/// store's current expiry and skips stale entries (lazy deletion), and the heap is rebuilt when
/// stale entries outnumber live ones.
struct BindingExpiryHeap: Sendable {
    struct Entry: Sendable {
        var at: RegistrarInstant
        var key: RegistrarBindingKey
    }

    private(set) var entries: [Entry] = []

    var count: Int { entries.count }

    mutating func push(_ at: RegistrarInstant, _ key: RegistrarBindingKey) {
        entries.append(Entry(at: at, key: key))
        var i = entries.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard entries[i].at < entries[parent].at else { break }
            entries.swapAt(i, parent)
            i = parent
        }
    }

    var peek: Entry? { entries.first }

    mutating func pop() -> Entry? {
        guard !entries.isEmpty else { return nil }
        let top = entries[0]
        let last = entries.removeLast()
        if !entries.isEmpty {
            entries[0] = last
            siftDown(0)
        }
        return top
    }

    mutating func rebuild(_ live: [Entry]) {
        entries = live
        var i = entries.count / 2
        while i > 0 {
            i -= 1
            siftDown(i)
        }
    }

    private mutating func siftDown(_ start: Int) {
        var i = start
        while true {
            let l = 2 * i + 1
            let r = l + 1
            var smallest = i
            if l < entries.count && entries[l].at < entries[smallest].at { smallest = l }
            if r < entries.count && entries[r].at < entries[smallest].at { smallest = r }
            guard smallest != i else { return }
            entries.swapAt(i, smallest)
            i = smallest
        }
    }
}
