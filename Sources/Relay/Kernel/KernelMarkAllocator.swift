/// Hands out the skb mark values that name legs inside the configured mask.
///
/// Released values are reused last-in-first-out; the high-water mark grows only when none is free, so allocation
/// and release are O(1). After adoption the allocator is rebuilt from the marks found in the kernel.
struct KernelMarkAllocator: Sendable {
    let shift: UInt32
    let capacity: UInt32
    private var highWater: UInt32 = 0
    private var free: [UInt32] = []

    init(configuration: KernelForwarderConfiguration) {
        shift = configuration.markShift
        capacity = configuration.markCapacity
    }

    /// A mark not in use, or nil when every index is taken.
    mutating func allocate() -> UInt32? {
        if let index = free.popLast() { return index << shift }
        guard highWater < capacity else { return nil }
        highWater += 1
        return highWater << shift
    }

    mutating func release(_ mark: UInt32) {
        let index = mark >> shift
        guard index != 0, index <= highWater else { return }
        free.append(index)
    }

    /// Rebuilds the state so that exactly `marks` are in use.
    mutating func reset(inUse marks: some Sequence<UInt32>) {
        let used = Set(marks.map { $0 >> shift })
        highWater = used.max() ?? 0
        free = stride(from: highWater, through: 1, by: -1).filter { !used.contains($0) }
    }

    static func hex(_ value: UInt32) -> String { "0x" + String(value, radix: 16) }
}
