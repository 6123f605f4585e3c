import Testing
@testable import Signaling

@Suite("EdgeDispatchConfiguration")
struct EdgeDispatchConfigurationTests {
    @Test func theDispatcherSectionIsRead() throws {
        let yaml = """
        farm: ["sip:10.0.0.9:5080"]
        dispatcher:
          route_set: fs
          no_destination_status: 503
          probing: { interval: 0.5, timeout: 0.25, failure_threshold: 4, success_threshold: 1, failure_codes: [404], probe_active: false }
          sets:
            - name: fs
              algorithm: hash_ruri_user
              destinations:
                - "sip:10.0.0.1:5080"
                - { uri: "sip:10.0.0.2:5080", weight: 2, max_sessions: 500, priority: 1,
                    esl: { address: "10.0.0.2:8022", password: secret } }
              partitions:
                - { name: acme, domains: [acme.example], primaries: ["sip:10.0.0.1:5080"], spares: ["sip:10.0.0.2:5080"] }
        """
        let configuration = try EdgeConfigurationFile.apply(yaml: yaml, file: "edge.yaml", over: EdgeConfiguration())
        let dispatcher = try #require(configuration.dispatcher)
        #expect(configuration.dispatcherSet == "fs")
        #expect(dispatcher.noDestinationStatus == 503)
        #expect(dispatcher.probing.intervalMilliseconds == 500)
        #expect(dispatcher.probing.timeoutMilliseconds == 250)
        #expect(dispatcher.probing.failureThreshold == 4)
        #expect(dispatcher.probing.extraFailureCodes == [404])
        #expect(!dispatcher.probing.probesActiveDestinations)
        let set = try #require(dispatcher.sets.first)
        #expect(set.algorithm == .hashRequestUser)
        #expect(set.destinations.count == 2)
        #expect(set.destinations[1].weight == 2)
        #expect(set.destinations[1].attributes.maxSessions == 500)
        #expect(set.destinations[1].attributes.esl == ESLEndpoint(host: "10.0.0.2", port: 8022, password: "secret"))
        #expect(set.partitions.first?.spares == ["sip:10.0.0.2:5080"])
        let effective = configuration.effectiveDispatcher
        #expect(effective.sets.map(\.name) == ["fs", "farm"])
        #expect(effective.sets.last?.destinations.map(\.uri) == ["sip:10.0.0.9:5080"])
    }

    @Test func errorsNameLineAndKey() {
        func failure(_ yaml: String) -> EdgeConfigurationError? {
            do {
                _ = try EdgeConfigurationFile.apply(yaml: yaml, file: "edge.yaml", over: EdgeConfiguration())
                return nil
            } catch { return error }
        }
        let algorithm = failure("dispatcher:\n  sets:\n    - name: fs\n      algorithm: fastest\n      destinations: [\"sip:10.0.0.1\"]\n")
        #expect(algorithm?.line == 4)
        #expect(algorithm?.key == "dispatcher.sets.algorithm")
        let status = failure("dispatcher:\n  no_destination_status: 404\n")
        #expect(status?.key == "dispatcher.no_destination_status")
        let unknown = failure("dispatcher:\n  sets:\n    - name: fs\n      destinations: [{ uri: \"sip:10.0.0.1\", wieght: 2 }]\n")
        #expect(unknown?.key == "dispatcher.sets.destinations.wieght")
        let duplicate = failure("dispatcher:\n  sets:\n    - name: fs\n      destinations: [\"sip:10.0.0.1\", \"sip:10.0.0.1\"]\n")
        #expect(duplicate?.key == "dispatcher.sets")
        #expect(duplicate?.line == 3)
        let routeSet = failure("dispatcher:\n  route_set: nope\n")
        #expect(routeSet?.key == "dispatcher.route_set")
    }
}
