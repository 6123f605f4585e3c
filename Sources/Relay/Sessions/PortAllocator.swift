/// Hands out UDP ports of one interface's range: even/odd pairs for RTP + RTCP, or single ports for rtcp-mux.
///
/// Why this shape:
/// - O(1) per operation: free pairs and free "half pairs" (a free port whose sibling is taken) sit in two intrusive
///   doubly linked FIFO lists over integer indices, so allocating, releasing and blocking never scan.
/// - Reuse is spread: the pair list starts at a chosen offset and rotates, and freed ports go to the back, so a
///   port just released (whose late packets may still be in flight) is the last to be handed out again.
/// - No fragmentation: a single port is taken from a half pair first, and a released port whose sibling is free
///   turns the two back into a pair.
/// - Unbindable ports (the data plane's bind failed: another process holds it) are blocked and never handed out
///   again; a port blocked while in use is blocked when it is released.
public struct PortAllocator: Sendable {
    private enum PortState: UInt8, Sendable {
        case free, used, usedUnbindable, unbindable
    }

    /// First port of pair 0 (the range's minimum rounded up to even).
    public let base: UInt16
    /// Number of whole even/odd pairs inside the range.
    public let pairCount: Int

    private var states: [PortState]
    // Pair list over pair indices, half list over port indices (-1 = none).
    private var pairNext: [Int32]
    private var pairPrev: [Int32]
    private var pairHead: Int32 = -1
    private var pairTail: Int32 = -1
    private var inPairList: [Bool]
    private var halfNext: [Int32]
    private var halfPrev: [Int32]
    private var halfHead: Int32 = -1
    private var halfTail: Int32 = -1
    private var inHalfList: [Bool]

    /// Ports currently free.
    public private(set) var freeCount: Int
    /// Ports currently handed out.
    public private(set) var usedCount: Int = 0
    /// Ports blocked because they could not be bound.
    public private(set) var unbindableCount: Int = 0

    /// Creates the allocator for `portMin...portMax`. `startOffset` picks the pair the rotation starts at
    /// (random when nil), so restarts do not reuse the same first ports.
    public init(portMin: UInt16, portMax: UInt16, startOffset: Int? = nil) {
        let evenMin = Int(portMin) + Int(portMin) % 2
        base = UInt16(clamping: evenMin)
        let pairs = portMax >= portMin && evenMin + 1 <= Int(portMax) ? (Int(portMax) - evenMin + 1) / 2 : 0
        pairCount = pairs
        states = Array(repeating: .free, count: pairs * 2)
        pairNext = Array(repeating: -1, count: pairs)
        pairPrev = Array(repeating: -1, count: pairs)
        inPairList = Array(repeating: false, count: pairs)
        halfNext = Array(repeating: -1, count: pairs * 2)
        halfPrev = Array(repeating: -1, count: pairs * 2)
        inHalfList = Array(repeating: false, count: pairs * 2)
        freeCount = pairs * 2
        guard pairs > 0 else { return }
        let start = (startOffset ?? Int.random(in: 0..<pairs)) % pairs
        let first = start < 0 ? start + pairs : start
        for step in 0..<pairs {
            pushPair(Int32((first + step) % pairs))
        }
    }

    /// Total ports managed (pairs × 2).
    public var capacity: Int { pairCount * 2 }

    /// Whether `port` is currently handed out.
    public func isInUse(_ port: UInt16) -> Bool {
        guard let index = portIndex(port) else { return false }
        return states[index] == .used || states[index] == .usedUnbindable
    }

    /// Allocates an even RTP port and the odd RTCP port after it, or nil when no whole pair is free.
    public mutating func allocatePair() -> (rtp: UInt16, rtcp: UInt16)? {
        guard pairHead >= 0 else { return nil }
        let pair = pairHead
        removePair(pair)
        let even = Int(pair) * 2
        states[even] = .used
        states[even + 1] = .used
        freeCount -= 2
        usedCount += 2
        return (port(at: even), port(at: even + 1))
    }

    /// Allocates one port (for an rtcp-mux stream): a half pair's leftover first, then the even port of a pair.
    public mutating func allocateSingle() -> UInt16? {
        if halfHead >= 0 {
            let index = halfHead
            removeHalf(index)
            states[Int(index)] = .used
            freeCount -= 1
            usedCount += 1
            return port(at: Int(index))
        }
        guard pairHead >= 0 else { return nil }
        let pair = pairHead
        removePair(pair)
        let even = Int(pair) * 2
        states[even] = .used
        pushHalf(Int32(even + 1))
        freeCount -= 1
        usedCount += 1
        return port(at: even)
    }

    /// Takes one specific free port (restoring a call from the kernel offload journal, whose ports must stay what
    /// the kernel forwards to). False when the port is outside the range or not free.
    @discardableResult
    public mutating func reserve(_ port: UInt16) -> Bool {
        guard let index = portIndex(port), states[index] == .free else { return false }
        let sibling = index ^ 1
        if sibling < states.count, states[sibling] == .free {
            removePair(Int32(index / 2))
            pushHalf(Int32(sibling))
        } else {
            removeHalf(Int32(index))
        }
        states[index] = .used
        freeCount -= 1
        usedCount += 1
        return true
    }

    /// Returns a port. Releasing a port that is not in use is ignored and reported as false.
    @discardableResult
    public mutating func release(_ port: UInt16) -> Bool {
        guard let index = portIndex(port) else { return false }
        switch states[index] {
        case .used:
            states[index] = .free
            usedCount -= 1
            freeCount += 1
            let sibling = index ^ 1
            if states[sibling] == .free {
                removeHalf(Int32(sibling))
                pushPair(Int32(index / 2))
            } else {
                pushHalf(Int32(index))
            }
            return true
        case .usedUnbindable:
            states[index] = .unbindable
            usedCount -= 1
            unbindableCount += 1
            return true
        case .free, .unbindable:
            return false
        }
    }

    /// Blocks a port the data plane could not bind. Free ports leave the free lists at once; ports in use are
    /// blocked when released. Ports outside the range are ignored.
    public mutating func markUnbindable(_ port: UInt16) {
        guard let index = portIndex(port) else { return }
        switch states[index] {
        case .free:
            let sibling = index ^ 1
            if states[sibling] == .free {
                removePair(Int32(index / 2))
                pushHalf(Int32(sibling))
            } else {
                removeHalf(Int32(index))
            }
            states[index] = .unbindable
            freeCount -= 1
            unbindableCount += 1
        case .used:
            states[index] = .usedUnbindable
        case .usedUnbindable, .unbindable:
            break
        }
    }

    private func portIndex(_ port: UInt16) -> Int? {
        guard port >= base else { return nil }
        let index = Int(port) - Int(base)
        return index < states.count ? index : nil
    }

    private func port(at index: Int) -> UInt16 { UInt16(truncatingIfNeeded: Int(base) + index) }

    private mutating func pushPair(_ pair: Int32) {
        let slot = Int(pair)
        pairPrev[slot] = pairTail
        pairNext[slot] = -1
        if pairTail >= 0 { pairNext[Int(pairTail)] = pair } else { pairHead = pair }
        pairTail = pair
        inPairList[slot] = true
    }

    private mutating func removePair(_ pair: Int32) {
        let slot = Int(pair)
        guard inPairList[slot] else { return }
        let previous = pairPrev[slot]
        let next = pairNext[slot]
        if previous >= 0 { pairNext[Int(previous)] = next } else { pairHead = next }
        if next >= 0 { pairPrev[Int(next)] = previous } else { pairTail = previous }
        inPairList[slot] = false
    }

    private mutating func pushHalf(_ index: Int32) {
        let slot = Int(index)
        halfPrev[slot] = halfTail
        halfNext[slot] = -1
        if halfTail >= 0 { halfNext[Int(halfTail)] = index } else { halfHead = index }
        halfTail = index
        inHalfList[slot] = true
    }

    private mutating func removeHalf(_ index: Int32) {
        let slot = Int(index)
        guard inHalfList[slot] else { return }
        let previous = halfPrev[slot]
        let next = halfNext[slot]
        if previous >= 0 { halfNext[Int(previous)] = next } else { halfHead = next }
        if next >= 0 { halfPrev[Int(next)] = previous } else { halfTail = previous }
        inHalfList[slot] = false
    }
}
