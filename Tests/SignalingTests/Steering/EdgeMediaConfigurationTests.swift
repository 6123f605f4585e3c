import Testing
@testable import Signaling

@Suite("EdgeMediaConfiguration")
struct EdgeMediaConfigurationTests {
    @Test func mediaSectionParses() throws {
        let configuration = try EdgeConfigurationFile.apply(yaml: """
            media:
              relays:
                - { address: "10.0.0.20:2223", weight: 2 }
                - "udp:10.0.0.21:2224"
              policy: nat
              farm_policy: always
              ping_interval: 2.5
              ping_timeout: 0.5
              retransmit_ms: 250
              attempts: 4
              down_after: 3
              up_after: 1
              setup_timeout: 60
              idle_timeout: 600
            """, file: "edge.yaml", over: EdgeConfiguration())
        let media = configuration.media
        #expect(media.relays == [MediaRelay(host: "10.0.0.20", port: 2223, weight: 2), MediaRelay(host: "10.0.0.21", port: 2224)])
        #expect(media.steering.policy == .nat)
        #expect(media.steering.farmPolicy == .always)
        #expect(media.client.pingIntervalMilliseconds == 2500)
        #expect(media.client.pingTimeoutMilliseconds == 500)
        #expect(media.client.retransmitMilliseconds == 250)
        #expect(media.client.attemptsPerRelay == 4)
        #expect(media.client.failuresToDown == 3)
        #expect(media.client.successesToUp == 1)
        #expect(media.steering.setupTimeoutMilliseconds == 60_000)
        #expect(media.steering.idleTimeoutMilliseconds == 600_000)
        #expect(media.isEnabled)
    }

    @Test func noRelaysMeansSteeringOffAndBadValuesAreErrors() throws {
        #expect(!EdgeConfiguration().media.isEnabled)
        #expect(throws: EdgeConfigurationError.self) {
            _ = try EdgeConfigurationFile.apply(yaml: "media: { policy: sometimes }", file: "e.yaml", over: EdgeConfiguration())
        }
        #expect(throws: EdgeConfigurationError.self) {
            _ = try EdgeConfigurationFile.apply(yaml: "media: { relays: [\"nohost\"] }", file: "e.yaml", over: EdgeConfiguration())
        }
        do {
            _ = try EdgeConfigurationFile.apply(yaml: "media:\n  bogus: 1\n", file: "e.yaml", over: EdgeConfiguration())
            Issue.record("unknown key accepted")
        } catch {
            #expect(error.key == "media.bogus")
        }
    }
}
