import NIOConcurrencyHelpers
import NIOCore

/// The open (and opening) TCP connections, by flow and by ID, shared by all event loops.
///
/// A lock rather than per-loop ownership because lookups come from any thread (a request forwarded to a phone is
/// sent from whichever loop parsed it) and the table changes only when connections open or close; TCP sends are far
/// fewer than UDP datagrams, and the lock is held only for a dictionary access.
///
/// A flow being connected holds its pending future, so that concurrent sends towards the same destination share one
/// connection attempt instead of racing to open several.
final class TCPConnectionTable: Sendable {
    private enum Slot {
        case connecting(EventLoopFuture<TCPConnection>)
        case open(TCPConnection)
    }

    private struct State {
        var byFlow: [TCPFlowKey: Slot] = [:]
        var byID: [ConnectionID: TCPConnection] = [:]
    }

    /// What `lookupOrReserve` found.
    enum Lookup {
        /// A connection is open.
        case open(TCPConnection)
        /// Another caller is connecting; wait for its future.
        case connecting(EventLoopFuture<TCPConnection>)
        /// Nothing existed: the caller now owns the reservation and must complete the promise.
        case reserved(EventLoopPromise<TCPConnection>)
    }

    private let state = NIOLockedValueBox(State())

    init() {}

    /// Records an open connection, replacing a reservation or an older connection of the same flow (the newest
    /// connection wins: a phone that reconnects is reachable over its new connection).
    func register(_ connection: TCPConnection) {
        self.state.withLockedValue { state in
            state.byFlow[connection.key] = .open(connection)
            state.byID[connection.id] = connection
        }
    }

    /// Forgets a closed connection; its flow entry goes only if it still points at this connection.
    func unregister(_ connection: TCPConnection) {
        self.state.withLockedValue { state in
            state.byID[connection.id] = nil
            if case .open(let current) = state.byFlow[connection.key], current.id == connection.id {
                state.byFlow[connection.key] = nil
            }
        }
    }

    /// The open connection with this ID.
    func connection(_ id: ConnectionID) -> TCPConnection? {
        self.state.withLockedValue { $0.byID[id] }
    }

    /// The open connection of this flow, if any (not one being connected).
    func openConnection(_ key: TCPFlowKey) -> TCPConnection? {
        self.state.withLockedValue { state in
            if case .open(let connection) = state.byFlow[key] { return connection }
            return nil
        }
    }

    /// The connection of this flow, or the attempt under way, or else a reservation made with a promise on `loop`.
    func lookupOrReserve(_ key: TCPFlowKey, on loop: any EventLoop) -> Lookup {
        self.state.withLockedValue { state in
            switch state.byFlow[key] {
            case .open(let connection):
                return .open(connection)
            case .connecting(let future):
                return .connecting(future)
            case nil:
                let promise = loop.makePromise(of: TCPConnection.self)
                state.byFlow[key] = .connecting(promise.futureResult)
                return .reserved(promise)
            }
        }
    }

    /// Drops a failed reservation, if the flow still holds it.
    func cancelReservation(_ key: TCPFlowKey, _ future: EventLoopFuture<TCPConnection>) {
        self.state.withLockedValue { state in
            if case .connecting(let current) = state.byFlow[key], current === future {
                state.byFlow[key] = nil
            }
        }
    }

    /// Every open connection (for shutdown).
    func allConnections() -> [TCPConnection] {
        self.state.withLockedValue { Array($0.byID.values) }
    }
}
