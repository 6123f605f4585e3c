/// What the ng command handler needs from a data plane: carry out the session layer's `DataPlaneAction`s and
/// report what the streams saw.
///
/// A protocol (rather than `DataPlane` itself) so that the whole ng command path — decode, handler, sessions,
/// SDP rewrite, encode — builds from plain Swift folders for the fuzzer with a no-op executor, and so that tests
/// can count allocations. `DataPlaneExecutor` is the real one.
public protocol MediaPlaneExecutor: AnyObject {
    /// Carries out `actions` in order for call `callID` (nil for a mixed batch from a clock tick, which holds only
    /// removals). Returns the sockets that could not be bound; rules naming them are skipped, and the handler reports
    /// them to `SessionTable.portUnbindable`.
    func execute(_ actions: [DataPlaneAction], callID: String?) -> [LocalSocket]

    /// The latest counters and learned source of one stream, nil when the executor has nothing for it (not open,
    /// or RTCP multiplexed on the RTP socket, whose packets the RTP stream counts).
    func report(for stream: MediaStreamID, at now: SessionTime) -> MediaStreamReport?

    /// Reports for every stream the executor holds whose view changed since the last call (ng `statistics`, which
    /// sums all streams; the clock and `query`/`delete` pull single streams with `report(for:at:)`).
    func reports(at now: SessionTime) -> [MediaStreamReport]
}

/// One stream's view from the data plane, converted to the session layer's types and clock.
public struct MediaStreamReport: Hashable, Sendable {
    public var stream: MediaStreamID
    /// Packets, bytes and errors received on the stream's socket (what that side sent).
    public var counters: MediaCounters
    /// Wall-clock time of the last received packet, nil before the first.
    public var lastPacket: SessionTime?
    /// The source learned from packets (symmetric RTP), nil before the first.
    public var learned: MediaEndpoint?
    /// The kernel forwards the stream (its counters include the kernel's).
    public var inKernel: Bool

    public init(stream: MediaStreamID, counters: MediaCounters, lastPacket: SessionTime?, learned: MediaEndpoint?,
                inKernel: Bool = false) {
        self.stream = stream
        self.counters = counters
        self.lastPacket = lastPacket
        self.learned = learned
        self.inKernel = inKernel
    }
}

/// An executor that binds nothing and forwards nothing: every action succeeds. For the fuzzer and for tests of the
/// ng path that need no packets. Counts what it was asked to open and close.
public final class NullMediaPlaneExecutor: MediaPlaneExecutor {
    /// Sockets currently "open".
    public private(set) var openSockets: Set<LocalSocket> = []
    /// Every `openPort` ever executed.
    public private(set) var opened = 0
    /// Ports `execute` pretends cannot be bound (each only once), to exercise the rebind path.
    public var unbindable: Set<UInt16> = []

    public init() {}

    public func execute(_ actions: [DataPlaneAction], callID: String?) -> [LocalSocket] {
        var failed: [LocalSocket] = []
        for action in actions {
            switch action {
            case .openPort(let socket):
                if unbindable.remove(socket.port) != nil {
                    failed.append(socket)
                } else {
                    openSockets.insert(socket)
                    opened += 1
                }
            case .closePort(let socket):
                openSockets.remove(socket)
            case .addForwarding, .updateForwarding, .removeForwarding:
                break
            }
        }
        return failed
    }

    public func report(for stream: MediaStreamID, at now: SessionTime) -> MediaStreamReport? { nil }

    public func reports(at now: SessionTime) -> [MediaStreamReport] { [] }
}
