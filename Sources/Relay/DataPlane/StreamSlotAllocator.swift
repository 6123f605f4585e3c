/// Control-side bookkeeping of the stream table: which slots are free, which worker owns a live one, which are
/// being removed (REMOVE queued, waiting for the worker to close the socket and store FREE). Only touched under
/// `DataPlane`'s control mutex, never by workers.
struct StreamSlotAllocator {
    enum Phase: UInt8 { case free, live, releasing }

    private(set) var phase: [Phase]
    private(set) var owner: [Int32]
    private var free: [UInt32]
    private var releasing: [UInt32] = []
    private(set) var streamsPerWorker: [Int]

    init(capacity: Int, workers: Int) {
        phase = Array(repeating: .free, count: capacity)
        owner = Array(repeating: -1, count: capacity)
        free = (0..<UInt32(capacity)).reversed()
        streamsPerWorker = Array(repeating: 0, count: workers)
    }

    /// The worker with the fewest streams.
    var leastLoadedWorker: Int {
        var best = 0
        for index in streamsPerWorker.indices where streamsPerWorker[index] < streamsPerWorker[best] { best = index }
        return best
    }

    /// Returns slots whose removal the workers have completed (`isFree` reads the shared state) to the free list.
    mutating func reclaim(isFree: (UInt32) -> Bool) {
        guard !releasing.isEmpty else { return }
        var kept: [UInt32] = []
        for slot in releasing {
            if isFree(slot) {
                phase[Int(slot)] = .free
                owner[Int(slot)] = -1
                free.append(slot)
            } else {
                kept.append(slot)
            }
        }
        releasing = kept
    }

    mutating func take(worker: Int) -> UInt32? {
        guard let slot = free.popLast() else { return nil }
        phase[Int(slot)] = .live
        owner[Int(slot)] = Int32(worker)
        streamsPerWorker[worker] += 1
        return slot
    }

    /// Undoes `take` when the ADD could not be queued.
    mutating func giveBack(_ slot: UInt32) {
        let worker = Int(owner[Int(slot)])
        if worker >= 0 { streamsPerWorker[worker] -= 1 }
        phase[Int(slot)] = .free
        owner[Int(slot)] = -1
        free.append(slot)
    }

    mutating func beginRelease(_ slot: UInt32) {
        let worker = Int(owner[Int(slot)])
        if worker >= 0 { streamsPerWorker[worker] -= 1 }
        phase[Int(slot)] = .releasing
        releasing.append(slot)
    }
}
