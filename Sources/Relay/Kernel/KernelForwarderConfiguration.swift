/// What the kernel forwarder owns: the name of its table and the slice of the skb mark it uses.
public struct KernelForwarderConfiguration: Sendable, Hashable {
    /// The nftables tables' name (one table in family `ip`, one in `ip6`). Everything the relay installs lives in
    /// them; nothing else is touched.
    public var tableName: String
    /// The skb mark bits the relay uses to carry a leg's identity from prerouting to postrouting. One contiguous
    /// run of bits; each leg gets a distinct non-zero value inside it (`0xffff0000` gives 65 535 legs).
    ///
    /// Why a mask: other software (policy routing, Kubernetes CNIs, WireGuard, firewalld) also sets skb marks.
    /// The rules only look at `mark & markMask`, so a packet marked by others outside the mask is never treated
    /// as relayed media. Pick a mask nothing else on the host uses.
    public var markMask: UInt32

    public init(tableName: String = "tandem", markMask: UInt32 = 0xffff_0000) {
        self.tableName = tableName
        self.markMask = markMask
    }

    /// The shift of the mask's lowest bit: mark value = leg index << shift.
    var markShift: UInt32 { UInt32(markMask.trailingZeroBitCount) }

    /// How many legs fit in the mask (index 0 means "not ours").
    var markCapacity: UInt32 { markMask >> markShift }

    func validate() throws(KernelForwarderError) {
        let allowed = tableName.utf8.allSatisfy { byte in
            (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x30 && byte <= 0x39)
                || byte == 0x5f || byte == 0x2d
        }
        guard !tableName.isEmpty, tableName.utf8.count <= 64, allowed else {
            throw .invalidConfiguration("table name '\(tableName)': 1...64 of [A-Za-z0-9_-]")
        }
        guard markMask != 0 else { throw .invalidConfiguration("mark mask is 0") }
        let run = markMask >> markShift
        guard run & (run &+ 1) == 0 else {
            throw .invalidConfiguration("mark mask \(KernelMarkAllocator.hex(markMask)) is not one contiguous run of bits")
        }
    }
}
