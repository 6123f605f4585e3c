import Testing
import Glibc
@testable import Relay

/// Freed ports keep their bound socket for the next allocation (issue 3): the pool on its own, then through the
/// executor against both data plane engines.
@Suite struct StreamSocketPoolTests {
    static let loopback = MediaAddress.v4(0x7F00_0001)

    /// A socket bound to an explicit port on 127.0.0.1 (as the relay binds them: only an explicitly bound port
    /// survives un-parking, an ephemeral one is released by the kernel's disconnect) and its `LocalSocket`.
    static func boundSocket() throws -> (fd: Int32, local: SocketEndpoint, socket: LocalSocket) {
        let local = SocketEndpoint.ipv4(127, 0, 0, 1, port: try freePort())
        let fd = try UDPSocket.bind(local, bufferBytes: nil)
        return (fd, local, LocalSocket(interface: InterfaceID(0), address: loopback, port: local.port))
    }

    /// A free loopback port; see `freePorts(_:)`.
    static func freePort() throws -> UInt16 {
        try freePorts(1)[0]
    }

    /// `count` distinct free loopback ports, all held bound while they are picked and closed together at the end.
    /// Why not port 0 twice: two ephemeral binds in a row can return the same port (a CI run once failed with
    /// EADDRINUSE when the executor bound both), and a port in the ephemeral range can be handed to any other socket
    /// on the box before the test binds it again. So the ports come from 20000–29999, below Linux's default
    /// `ip_local_port_range`, starting at a random offset.
    static func freePorts(_ count: Int) throws -> [UInt16] {
        var held: [Int32] = []
        defer { for fd in held { close(fd) } }
        var ports: [UInt16] = []
        var candidate = UInt16.random(in: 20000...29999)
        for _ in 0..<10_000 where ports.count < count {
            candidate = candidate >= 29999 ? 20000 : candidate + 1
            guard let fd = try? UDPSocket.bind(.ipv4(127, 0, 0, 1, port: candidate), bufferBytes: nil) else { continue }
            held.append(fd)
            ports.append(candidate)
        }
        try #require(ports.count == count)
        return ports
    }

    static func readable(_ fd: Int32, timeoutMs: Int32) -> Bool {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, timeoutMs) == 1
    }

    @Test func parkedSocketRefusesStraysAndUnparkedOneReceives() throws {
        let bound = try Self.boundSocket()
        defer { close(bound.fd) }
        let client = try DataPlaneTestClient("127.0.0.2")
        #expect(UDPSocket.park(bound.fd, at: bound.local))
        client.send([1, 2, 3], to: bound.local)
        #expect(!Self.readable(bound.fd, timeoutMs: 100))
        #expect(UDPSocket.unpark(bound.fd) == 0)
        client.send([4, 5, 6], to: bound.local)
        #expect(Self.readable(bound.fd, timeoutMs: 1000))
        // Still bound to the same port after the round trip.
        #expect(UDPSocket.localEndpoint(of: bound.fd) == bound.local)
    }

    @Test func straysQueuedBeforeParkingAreDroppedAndCountedOnReuse() throws {
        let bound = try Self.boundSocket()
        defer { close(bound.fd) }
        let client = try DataPlaneTestClient("127.0.0.2")
        var pool = StreamSocketPool()
        let stream = StreamID(slot: 0, generation: 1)
        pool.detached(bound.socket, kept: .init(fd: bound.fd, local: bound.local), stream: stream)
        client.send([1], to: bound.local)
        client.send([2], to: bound.local)
        #expect(Self.readable(bound.fd, timeoutMs: 1000))

        pool.settle { _ in false }  // the worker has not let go yet
        #expect(pool.detaching.count == 1 && pool.idle.isEmpty)
        pool.settle { _ in true }
        #expect(pool.detaching.isEmpty && pool.idle.count == 1)
        #expect(pool.idle[bound.socket]?.parked == false)
        client.send([3], to: bound.local)  // queued: the socket rests, unparked
        #expect(pool.parkRested() == 0)  // rested less than a whole tick
        #expect(pool.parkRested() == 1)
        #expect(pool.idle[bound.socket]?.parked == true)
        client.send([4], to: bound.local)  // refused: the socket is parked

        let kept = try #require(pool.take(bound.socket) { _ in true })
        #expect(kept.fd == bound.fd)
        #expect(pool.strayDatagrams == 3 && pool.reused == 1 && pool.count == 0)
        #expect(!Self.readable(bound.fd, timeoutMs: 50))
        client.send([5], to: bound.local)
        #expect(Self.readable(bound.fd, timeoutMs: 1000))
        #expect(pool.take(bound.socket) { _ in true } == nil)
    }

    /// Under churn a freed port comes back before the clock parks it: reuse then costs one drain, no `connect`.
    @Test func aRestingSocketIsReusedWithoutParkingAndItsStraysAreDropped() throws {
        let bound = try Self.boundSocket()
        defer { close(bound.fd) }
        let client = try DataPlaneTestClient("127.0.0.2")
        var pool = StreamSocketPool()
        pool.detached(bound.socket, kept: .init(fd: bound.fd, local: bound.local), stream: StreamID(slot: 0, generation: 1))
        pool.settle { _ in true }
        client.send([1], to: bound.local)
        #expect(Self.readable(bound.fd, timeoutMs: 1000))
        #expect(pool.parkRested() == 0)
        let kept = try #require(pool.take(bound.socket) { _ in true })
        #expect(kept.fd == bound.fd && pool.strayDatagrams == 1 && pool.count == 0)
        #expect(pool.parkRested() == 0)  // taken: nothing left to park
        client.send([2], to: bound.local)  // unconnected: anyone may send to the new call's socket
        #expect(Self.readable(bound.fd, timeoutMs: 1000))
    }

    /// A port freed, reused and freed again rests from its latest free: the clock does not park it early.
    @Test func aSocketFreedAgainRestsFromItsLatestFree() throws {
        let bound = try Self.boundSocket()
        defer { close(bound.fd) }
        var pool = StreamSocketPool()
        pool.detached(bound.socket, kept: .init(fd: bound.fd, local: bound.local), stream: StreamID(slot: 0, generation: 1))
        pool.settle { _ in true }
        #expect(pool.parkRested() == 0)
        _ = try #require(pool.take(bound.socket) { _ in true })
        pool.detached(bound.socket, kept: .init(fd: bound.fd, local: bound.local), stream: StreamID(slot: 0, generation: 2))
        pool.settle { _ in true }
        #expect(pool.parkRested() == 0)  // its first rest's entry is stale
        #expect(pool.idle[bound.socket]?.parked == false)
        #expect(pool.parkRested() == 1)
    }

    @Test func takeWaitsForTheWorkerAndGivesUpWhenItDoesNotLetGo() throws {
        let bound = try Self.boundSocket()
        var pool = StreamSocketPool()
        pool.detached(bound.socket, kept: .init(fd: bound.fd, local: bound.local), stream: StreamID(slot: 3, generation: 7))
        #expect(pool.take(bound.socket) { _ in false } == nil)
        #expect(pool.detaching.count == 1)
        #expect(pool.take(bound.socket) { $0 == StreamID(slot: 3, generation: 7) }?.fd == bound.fd)
        close(bound.fd)
    }

    @Test func closeAllClosesIdleAndLetGoSocketsAndFreesThePorts() throws {
        let first = try Self.boundSocket()
        let second = try Self.boundSocket()
        var pool = StreamSocketPool()
        pool.detached(first.socket, kept: .init(fd: first.fd, local: first.local), stream: StreamID(slot: 1, generation: 1))
        pool.detached(second.socket, kept: .init(fd: second.fd, local: second.local), stream: StreamID(slot: 2, generation: 1))
        pool.settle { $0.slot == 1 }
        pool.closeAll(isRemoved: { _ in false }, force: false)
        #expect(pool.idle.isEmpty && pool.detaching.count == 1)  // the worker may still read the second one
        pool.closeAll(isRemoved: { _ in false }, force: true)
        #expect(pool.count == 0)
        for local in [first.local, second.local] {
            let again = try UDPSocket.bind(local, bufferBytes: nil)
            close(again)
        }
    }

    @Test func evictClosesIdleSockets() throws {
        let bound = try Self.boundSocket()
        var pool = StreamSocketPool()
        pool.detached(bound.socket, kept: .init(fd: bound.fd, local: bound.local), stream: StreamID(slot: 1, generation: 1))
        pool.settle { _ in true }
        #expect(pool.evict(limit: 10) == 1 && pool.count == 0)
        close(try UDPSocket.bind(bound.local, bufferBytes: nil))
    }

    @Test(arguments: DataPlaneHarness.engines)
    func executorReusesAFreedPortsSocketAndItForwards(engine: IOEngineKind) throws {
        let plane = try DataPlaneHarness.makePlane(engine)
        let executor = DataPlaneExecutor(dataPlane: plane)
        let ports = try Self.freePorts(2)
        let a = LocalSocket(interface: InterfaceID(0), address: Self.loopback, port: ports[0])
        let b = LocalSocket(interface: InterfaceID(0), address: Self.loopback, port: ports[1])
        #expect(executor.execute([.openPort(a), .openPort(b)], callID: "one").isEmpty)
        _ = executor.execute([.closePort(a), .closePort(b)], callID: "one")
        #expect(executor.openSocketCount == 0 && executor.keptSocketCount == 2)

        // Allocated again at once: the kept sockets come back (waiting for the worker to let go if needed).
        #expect(executor.execute([.openPort(a), .openPort(b)], callID: "two").isEmpty)
        #expect(executor.reusedSocketCount == 2 && executor.keptSocketCount == 0 && executor.bindFailures == 0)

        let clientA = try DataPlaneTestClient("127.0.0.2")
        let clientB = try DataPlaneTestClient("127.0.0.3")
        let idA = try #require(executor.streams[a])
        let idB = try #require(executor.streams[b])
        #expect(try DataPlaneHarness.apply(plane, idA, Forwarding(peer: idB, advertised: clientA.endpoint)))
        #expect(try DataPlaneHarness.apply(plane, idB, Forwarding(peer: idA, advertised: clientB.endpoint)))
        let endpointA = SocketEndpoint(a.endpoint)
        clientA.send(DataPlaneHarness.payload(1, 0), to: endpointA)
        let received = try #require(clientB.receive())
        #expect(received.payload == DataPlaneHarness.payload(1, 0))
        #expect(received.from == SocketEndpoint(b.endpoint))

        // A clean stop closes the kept sockets: the ports can be bound by anyone afterwards.
        _ = executor.execute([.closePort(a), .closePort(b)], callID: "two")
        plane.stop()
        executor.closeKeptSockets()
        #expect(executor.keptSocketCount == 0)
        close(try UDPSocket.bind(endpointA, bufferBytes: nil))
        close(try UDPSocket.bind(SocketEndpoint(b.endpoint), bufferBytes: nil))
    }

    /// A clean stop releases every port at once, even one whose removal the worker had not finished: the io_uring
    /// worker cancels and reaps its armed receives before the ring goes (the kernel's own teardown of a closed ring
    /// runs later on a workqueue, and held the socket: a CI run once got EADDRINUSE binding the port right after).
    @Test(arguments: DataPlaneHarness.engines)
    func aStoppedPlaneReleasesItsPortsAtOnce(engine: IOEngineKind) throws {
        for _ in 0..<25 {
            let plane = try DataPlaneHarness.makePlane(engine)
            let executor = DataPlaneExecutor(dataPlane: plane)
            let ports = try Self.freePorts(2)
            let a = LocalSocket(interface: InterfaceID(0), address: Self.loopback, port: ports[0])
            let b = LocalSocket(interface: InterfaceID(0), address: Self.loopback, port: ports[1])
            #expect(executor.execute([.openPort(a), .openPort(b)], callID: "one").isEmpty)
            _ = executor.execute([.closePort(a)], callID: "one")  // its removal is in flight when the stop comes
            plane.stop()  // b is still open: the worker closes it
            executor.closeKeptSockets()
            for port in ports {
                close(try UDPSocket.bind(.ipv4(127, 0, 0, 1, port: port), bufferBytes: nil))
            }
        }
    }

    @Test func executorWithoutKeepingClosesFreedSockets() throws {
        let plane = try DataPlaneHarness.makePlane(.mmsg)
        defer { plane.stop() }
        let executor = DataPlaneExecutor(dataPlane: plane)
        executor.keepsFreedSockets = false
        let a = LocalSocket(interface: InterfaceID(0), address: Self.loopback, port: try Self.freePort())
        #expect(executor.execute([.openPort(a)], callID: "one").isEmpty)
        _ = executor.execute([.closePort(a)], callID: "one")
        #expect(executor.keptSocketCount == 0)
        #expect(executor.execute([.openPort(a)], callID: "two").isEmpty)
        #expect(executor.reusedSocketCount == 0)
    }

    @Test func executorKeepsNoMoreSocketsThanTheDescriptorBudget() throws {
        let plane = try DataPlaneHarness.makePlane(.mmsg)
        defer { plane.stop() }
        let executor = DataPlaneExecutor(dataPlane: plane)
        executor.descriptorBudget = 1
        let ports = try Self.freePorts(2)
        let a = LocalSocket(interface: InterfaceID(0), address: Self.loopback, port: ports[0])
        let b = LocalSocket(interface: InterfaceID(0), address: Self.loopback, port: ports[1])
        #expect(executor.execute([.openPort(a), .openPort(b)], callID: "one").isEmpty)
        _ = executor.execute([.closePort(a)], callID: "one")  // b still open: budget reached, a is closed
        #expect(executor.keptSocketCount == 0)
        _ = executor.execute([.closePort(b)], callID: "one")
        #expect(executor.keptSocketCount == 1)
        #expect(executor.execute([.openPort(a), .openPort(b)], callID: "two").isEmpty)
        #expect(executor.reusedSocketCount == 1 && executor.bindFailures == 0)
        _ = executor.execute([.closePort(a), .closePort(b)], callID: "two")
        executor.closeKeptSockets()
    }

    @Test func dottedQuadFormatting() {
        #expect(MediaAddress.v4(0).description == "0.0.0.0")
        #expect(MediaAddress.v4(0xFFFF_FFFF).description == "255.255.255.255")
        #expect(MediaAddress.v4(0x0A00_64FF).description == "10.0.100.255")
        #expect(MediaAddress.v4(0x0114_0328).description == "1.20.3.40")
        #expect(MediaAddress(parsing: "192.168.1.2")?.description == "192.168.1.2")
    }

    @Test func bencodeIntegersAndLengthsWithoutText() {
        for value: Int64 in [0, 7, -7, 10, 99, 100, -100, 65535, .max, .min] {
            var out: [UInt8] = []
            BencodeEncoder.appendDecimal(value, into: &out)
            #expect(out == Array(String(value).utf8))
        }
    }

    @Test func mediaEndpointConvertsWithoutText() throws {
        let v4 = SocketEndpoint(MediaEndpoint(address: .v4(0xC0A8_0102), port: 4000))
        #expect(v4 == SocketEndpoint(address: "192.168.1.2", port: 4000))
        let v6 = SocketEndpoint(MediaEndpoint(address: .v6(high: 0x2001_0DB8_0000_0000, low: 0x0000_0000_0000_0042),
                                              port: 5))
        #expect(v6 == SocketEndpoint(address: "2001:db8::42", port: 5))
    }
}
