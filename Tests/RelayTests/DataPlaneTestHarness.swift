import CShims
import Glibc
@testable import Relay

/// A test "phone": a UDP socket on a loopback address that sends to and receives from relay legs.
final class DataPlaneTestClient {
    let fd: Int32
    let endpoint: SocketEndpoint

    init(_ address: String) throws {
        guard let any = SocketEndpoint(address: address, port: 0) else { throw DataPlaneError.stopped }
        fd = try UDPSocket.bind(any)
        guard let local = UDPSocket.localEndpoint(of: fd) else { throw DataPlaneError.stopped }
        endpoint = local
    }

    deinit { _ = DataPlaneTestClient.close(fd) }

    static func close(_ fd: Int32) -> Int32 { Glibc.close(fd) }

    func send(_ payload: [UInt8], to destination: SocketEndpoint) {
        var raw = destination.raw
        _ = payload.withUnsafeBytes { bytes in
            withUnsafePointer(to: &raw.sa) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, bytes.baseAddress, bytes.count, 0, $0, socklen_t(raw.len))
                }
            }
        }
    }

    /// One datagram, waiting at most `timeoutMs`; nil on timeout.
    func receive(timeoutMs: Int32 = 1000) -> (payload: [UInt8], from: SocketEndpoint)? {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, timeoutMs) == 1 else { return nil }
        return receiveNow()
    }

    /// One datagram if one is queued.
    func receiveNow() -> (payload: [UInt8], from: SocketEndpoint)? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        var raw = tdm_endpoint()
        var length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        let count = buffer.withUnsafeMutableBytes { bytes in
            withUnsafeMutablePointer(to: &raw.sa) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    recvfrom(fd, bytes.baseAddress, bytes.count, Int32(MSG_DONTWAIT), $0, &length)
                }
            }
        }
        guard count >= 0 else { return nil }
        raw.len = UInt32(length)
        guard let from = SocketEndpoint(raw) else { return nil }
        return (Array(buffer.prefix(count)), from)
    }

    /// Up to `count` datagrams within `timeoutMs` overall.
    func receive(count: Int, timeoutMs: Int32 = 2000) -> [(payload: [UInt8], from: SocketEndpoint)] {
        var received: [(payload: [UInt8], from: SocketEndpoint)] = []
        let deadline = tdm_coarse_now_ns() + UInt64(timeoutMs) * 1_000_000
        while received.count < count && tdm_coarse_now_ns() < deadline {
            if let datagram = receive(timeoutMs: 20) { received.append(datagram) }
        }
        return received
    }

    /// True if nothing arrives within `milliseconds`.
    func staysQuiet(milliseconds: Int32 = 100) -> Bool { receive(timeoutMs: milliseconds) == nil }
}

/// Builds data planes and legs for the DataPlane test suites.
enum DataPlaneHarness {
    static let engines: [IOEngineKind] = [.uring, .mmsg]

    static func makePlane(_ engine: IOEngineKind) throws -> DataPlane {
        try DataPlane(configuration: DataPlaneConfiguration(engine: engine, workerCount: 2, maxStreams: 512,
                                                            buffersPerWorker: 1024, bufferSize: 2048))
    }

    /// A relay leg: a bound socket on `address` handed to the plane, optionally beside another stream.
    static func makeLeg(_ plane: DataPlane, _ address: String = "127.0.0.1",
                        besides partner: StreamID? = nil) throws -> (id: StreamID, endpoint: SocketEndpoint) {
        guard let any = SocketEndpoint(address: address, port: 0) else { throw DataPlaneError.stopped }
        let fd = try UDPSocket.bind(any)
        guard let local = UDPSocket.localEndpoint(of: fd) else { throw DataPlaneError.stopped }
        let id = if let partner { try plane.addStream(fd: fd, besides: partner) } else { try plane.addStream(fd: fd) }
        return (id, local)
    }

    /// Applies a forwarding update and waits for the worker to have it.
    static func apply(_ plane: DataPlane, _ id: StreamID, _ forwarding: Forwarding) throws -> Bool {
        plane.waitUntilApplied(try plane.updateForwarding(id, forwarding))
    }

    /// Polls a condition for up to `timeoutMs` (counters are updated when send completions are reaped).
    static func eventually(timeoutMs: UInt64 = 2000, _ condition: () -> Bool) -> Bool {
        let deadline = tdm_coarse_now_ns() + timeoutMs * 1_000_000
        while tdm_coarse_now_ns() < deadline {
            if condition() { return true }
            usleep(1000)
        }
        return condition()
    }

    static func payload(_ tag: UInt8, _ sequence: Int, size: Int = 172) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: size)
        bytes[0] = 0x80
        bytes[1] = tag
        bytes[2] = UInt8(truncatingIfNeeded: sequence >> 8)
        bytes[3] = UInt8(truncatingIfNeeded: sequence)
        for index in 4..<size { bytes[index] = UInt8(truncatingIfNeeded: index &* 31 &+ sequence) }
        return bytes
    }
}
