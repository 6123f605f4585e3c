import Foundation
import NIOConcurrencyHelpers
@testable import Signaling

/// `FakeDNSZone` behind a real UDP socket on 127.0.0.1, answered from its own thread until `stop()`.
/// The socket is only touched by that thread (and by `port`, fixed at init); the zone sits behind a lock.
final class FakeDNSServer: @unchecked Sendable {
    private let socket: TestUDPClient
    private let zone: NIOLockedValueBox<FakeDNSZone>
    private let running = NIOLockedValueBox(true)
    private let finished = DispatchSemaphore(value: 0)
    let port: Int

    init(zone: FakeDNSZone) throws {
        socket = try TestUDPClient()
        port = socket.port
        self.zone = NIOLockedValueBox(zone)
        Thread.detachNewThread { [self] in
            while running.withLockedValue({ $0 }) {
                guard let (query, from) = socket.receive(milliseconds: 100) else { continue }
                if let reply = self.zone.withLockedValue({ $0.answer(query) }) { socket.send(reply, toPort: from) }
            }
            finished.signal()
        }
    }

    var asked: [DNSQuestion] { zone.withLockedValue { $0.asked } }

    func stop() {
        running.withLockedValue { $0 = false }
        finished.wait()
    }
}
