import Testing
@testable import Perf

@Suite struct SIPpUsersCSVTests {
    @Test func sequentialHeaderThenOneUserPerLine() {
        let csv = SIPpUsersCSV.make(count: 3, domain: "example.com")
        #expect(csv == "SEQUENTIAL\nu0;example.com\nu1;example.com\nu2;example.com\n")
    }

    @Test func padsUserNamesToOneWidth() {
        let lines = SIPpUsersCSV.make(count: 10_000, domain: "d.test", prefix: "user").split(separator: "\n")
        #expect(lines.count == 10_001)
        #expect(lines[1] == "user0000;d.test")
        #expect(lines[10_000] == "user9999;d.test")
        #expect(Set(lines.dropFirst()).count == 10_000)
        #expect(Set(lines.dropFirst().map(\.count)).count == 1)
    }

    @Test func emptyForNoUsers() {
        #expect(SIPpUsersCSV.make(count: 0, domain: "x") == "SEQUENTIAL\n")
        #expect(SIPpUsersCSV.make(count: -5, domain: "x") == "SEQUENTIAL\n")
    }

    @Test func sippArgumentsCarryTheBounds() {
        var c = SIPLoadConfiguration(scenario: .register, proxy: "127.0.0.1:5070", scenarioDirectory: "/s",
                                     workDirectory: "/w")
        c.rate = 2000
        c.durationSeconds = 10
        #expect(c.callLimit == 20_000)
        c.maxCalls = 500
        #expect(c.callLimit == 500)
        let args = c.uacArguments()
        #expect(args.first == "127.0.0.1:5070")
        #expect(args.contains("-inf") && args.contains("users.csv"))
        #expect(args.contains("-timeout") && args.contains("21s"))
        c.scenario = .calls
        let calls = c.uacArguments()
        #expect(calls.contains("/s/uac-calls.xml") && calls.contains("127.0.0.1:5080"))
        #expect(c.uasArguments().contains("/s/uas-calls.xml"))
    }
}
