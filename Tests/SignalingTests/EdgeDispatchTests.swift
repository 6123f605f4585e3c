import Foundation
import Testing
@testable import Signaling

@Suite("EdgeDispatch", .serialized, .timeLimit(.minutes(1)))
struct EdgeDispatchTests {
    @Test func roundRobinSpreadsInvitesOverTheBoxesAndTracksTheCall() async throws {
        let backends = try [FakeBackend(), FakeBackend(), FakeBackend()]
        let edge = try await startDispatchEdge(backends)
        let phone = try TestUDPClient()
        for index in 1...3 {
            phone.send(dispatchInvite(phone: phone, user: "bob", callID: "rr-\(index)"), toPort: edge.udpPort)
            #expect(pump(backends, edgePort: edge.udpPort) { Set(backends.flatMap(\.invites)).count == index })
            #expect(receive(phone) { $0.hasPrefix("SIP/2.0 200") } != nil)
        }
        for backend in backends { #expect(Set(backend.invites).count == 1) }
        let (_, body) = try adminRequest(edge, "GET", "/dispatcher")
        #expect(body.contains("\"activeCalls\":1"))
        #expect(!body.contains("\"activeCalls\":0"))
        let owner = try #require(backends.first { $0.invites.contains("rr-1") })
        phone.send(sipRequest([
            "BYE sip:fs@127.0.0.1:\(owner.port) SIP/2.0",
            "Via: SIP/2.0/UDP 127.0.0.1:\(phone.port);branch=z9hG4bKbye1;rport",
            "From: <sip:alice@example.com>;tag=f-rr-1", "To: <sip:bob@example.com>;tag=uas1", "Call-ID: rr-1",
            "CSeq: 2 BYE", "Max-Forwards: 70",
        ]), toPort: edge.udpPort)
        #expect(pump(backends, edgePort: edge.udpPort) {
            (try? adminRequest(edge, "GET", "/dispatcher").1.contains("\"activeCalls\":0")) ?? false
        })
        let (_, metrics) = try adminRequest(edge, "GET", "/metrics")
        #expect(metrics.contains("tandem_dispatcher_destination_state{uri=\"\(owner.uri)\",state=\"active\"} 1"))
        await edge.stop()
    }

    @Test func a503FailsOverToTheNextBoxAndRepeatedFailuresMakeItInactive() async throws {
        let backends = try [FakeBackend(), FakeBackend(), FakeBackend()]
        backends[0].inviteStatus = "503 Service Unavailable"
        backends[0].optionsStatus = nil  // probes stay outstanding: only the INVITE failures count
        var probing = DispatcherProbingSettings(intervalMilliseconds: 60_000, failureThreshold: 2, probesActiveDestinations: false)
        probing.timeoutMilliseconds = 60_000
        let edge = try await startDispatchEdge(backends, probing: probing)
        let phone = try TestUDPClient()
        for index in 1...6 {
            let callID = "fo-\(index)"
            phone.send(dispatchInvite(phone: phone, user: "bob", callID: callID), toPort: edge.udpPort)
            var answer: String?
            pump(backends, edgePort: edge.udpPort) {
                answer = receive(phone, milliseconds: 1) { $0.hasPrefix("SIP/2.0") && !$0.hasPrefix("SIP/2.0 100") }
                return answer != nil
            }
            #expect(answer?.hasPrefix("SIP/2.0 200") == true, "call \(index): \(answer ?? "no answer")")
        }
        #expect(backends[0].invites.count >= 2)
        #expect(try dispatcherState(edge, backends[0].uri) == "inactive")
        #expect(try dispatcherState(edge, backends[1].uri) == "active")
        // Inactive: no longer tried first.
        let before = backends[0].invites.count
        for index in 7...9 {
            phone.send(dispatchInvite(phone: phone, user: "bob", callID: "fo-\(index)"), toPort: edge.udpPort)
            pump(backends, edgePort: edge.udpPort) { receive(phone, milliseconds: 1) { $0.hasPrefix("SIP/2.0 200") } != nil }
        }
        #expect(backends[0].invites.count == before)
        await edge.stop()
    }

    @Test func hashOnTheRequestUserKeepsAUserOnOneBox() async throws {
        let backends = try [FakeBackend(), FakeBackend(), FakeBackend()]
        let edge = try await startDispatchEdge(backends, algorithm: .hashRequestUser)
        let phone = try TestUDPClient()
        for (index, user) in ["conf42", "conf42", "conf42"].enumerated() {
            phone.send(dispatchInvite(phone: phone, user: user, callID: "h-\(index)"), toPort: edge.udpPort)
            #expect(pump(backends, edgePort: edge.udpPort) { Set(backends.flatMap(\.invites)).count == index + 1 })
        }
        #expect(backends.filter { !$0.invites.isEmpty }.count == 1)
        await edge.stop()
    }

    @Test func noDestinationAvailableIs500() async throws {
        let backend = try FakeBackend()
        let edge = try await startDispatchEdge([backend])
        let (status, _) = try adminRequest(edge, "POST", "/dispatcher/disable?uri=\(backend.uri)")
        #expect(status.contains("200"))
        #expect(try dispatcherState(edge, backend.uri) == "disabled")
        let phone = try TestUDPClient()
        phone.send(dispatchInvite(phone: phone, user: "bob", callID: "none-1"), toPort: edge.udpPort)
        let reply = try #require(receive(phone) { $0.hasPrefix("SIP/2.0") && !$0.hasPrefix("SIP/2.0 100") })
        #expect(reply.hasPrefix("SIP/2.0 500 No Destination available"))
        #expect(backend.invites.isEmpty)
        let (unknown, _) = try adminRequest(edge, "POST", "/dispatcher/disable?uri=sip:192.0.2.1:5060")
        #expect(unknown.contains("404"))
        await edge.stop()
    }

    @Test func adminDisableExcludesABoxAndEnableBringsItBack() async throws {
        let backends = try [FakeBackend(), FakeBackend()]
        let edge = try await startDispatchEdge(backends)
        let phone = try TestUDPClient()
        _ = try adminRequest(edge, "POST", "/dispatcher/disable?uri=\(backends[0].uri)")
        for index in 1...4 {
            phone.send(dispatchInvite(phone: phone, user: "bob", callID: "dis-\(index)"), toPort: edge.udpPort)
            #expect(pump(backends, edgePort: edge.udpPort) { Set(backends.flatMap(\.invites)).count == index })
        }
        #expect(backends[0].invites.isEmpty)
        #expect(Set(backends[1].invites).count == 4)
        _ = try adminRequest(edge, "POST", "/dispatcher/enable?uri=\(backends[0].uri)")
        #expect(try dispatcherState(edge, backends[0].uri) == "active")
        for index in 5...6 {
            phone.send(dispatchInvite(phone: phone, user: "bob", callID: "dis-\(index)"), toPort: edge.udpPort)
            #expect(pump(backends, edgePort: edge.udpPort) { Set(backends.flatMap(\.invites)).count == index })
        }
        #expect(Set(backends[0].invites).count == 1)
        await edge.stop()
    }

    @Test func aSilentBoxBecomesInactiveAndAnsweringProbesRevivesIt() async throws {
        let backends = try [FakeBackend()]
        backends[0].optionsStatus = nil
        let probing = DispatcherProbingSettings(intervalMilliseconds: 100, timeoutMilliseconds: 150, failureThreshold: 2,
                                                successThreshold: 2)
        let edge = try await startDispatchEdge(backends, probing: probing)
        #expect(pump(backends, edgePort: edge.udpPort, milliseconds: 5000) {
            (try? dispatcherState(edge, backends[0].uri)) == "inactive"
        })
        #expect(backends[0].options >= 2)
        backends[0].optionsStatus = "200 OK"
        #expect(pump(backends, edgePort: edge.udpPort, milliseconds: 5000) {
            (try? dispatcherState(edge, backends[0].uri)) == "active"
        })
        await edge.stop()
    }

    @Test func theLegacyFarmListIsARoundRobinSet() async throws {
        let backends = try [FakeBackend(), FakeBackend()]
        let edge = try await startTestEdge(farm: backends.map(\.port))
        let phone = try TestUDPClient()
        for index in 1...2 {
            phone.send(dispatchInvite(phone: phone, user: "bob", callID: "farm-\(index)"), toPort: edge.udpPort)
            #expect(pump(backends, edgePort: edge.udpPort) { Set(backends.flatMap(\.invites)).count == index })
        }
        #expect(backends.allSatisfy { Set($0.invites).count == 1 })
        let (_, body) = try adminRequest(edge, "GET", "/dispatcher")
        #expect(body.contains("\"name\":\"farm\""))
        await edge.stop()
    }
}
