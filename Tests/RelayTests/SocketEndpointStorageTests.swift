import CShims
#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import Relay

/// `SocketEndpoint` keeps its address in two words instead of a byte array: every way in and out must give the
/// bytes, equality and kernel form the array did.
@Suite struct SocketEndpointStorageTests {
    @Test func ipv4BytesAndTextAgree() throws {
        let parsed = try #require(SocketEndpoint(address: "192.0.2.7", port: 4000))
        let built = SocketEndpoint.ipv4(192, 0, 2, 7, port: 4000)
        #expect(parsed == built)
        #expect(parsed.hashValue == built.hashValue)
        #expect(parsed.addressBytes == [192, 0, 2, 7])
        #expect(parsed.family == AF_INET)
        #expect(parsed.description == "192.0.2.7:4000")
        #expect(parsed != SocketEndpoint.ipv4(192, 0, 2, 7, port: 4001))
        #expect(parsed != SocketEndpoint.ipv4(192, 0, 2, 8, port: 4000))
    }

    @Test func ipv6BytesAndTextAgree() throws {
        let bytes: [UInt8] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34, 0x56, 0x78]
        let parsed = try #require(SocketEndpoint(address: "2001:db8::1234:5678", port: 5))
        #expect(parsed == SocketEndpoint.ipv6(bytes, port: 5))
        #expect(parsed.addressBytes == bytes)
        #expect(parsed.description == "[2001:db8::1234:5678]:5")
        #expect(SocketEndpoint.ipv6(Array(bytes.prefix(15)), port: 5) == nil)
        // ::c000:207 is not 192.0.2.7: the family stays part of the value.
        #expect(SocketEndpoint(address: "::c000:207", port: 1) != SocketEndpoint.ipv4(192, 0, 2, 7, port: 1))
    }

    @Test func kernelFormRoundTrips() throws {
        for text in ["10.1.2.3", "0.0.0.0", "255.255.255.255", "::1", "fe80::1:2", "::ffff:10.0.0.1", "::"] {
            let endpoint = try #require(SocketEndpoint(address: text, port: 61000))
            #expect(SocketEndpoint(endpoint.raw) == endpoint, "\(text)")
        }
        #expect(SocketEndpoint(tdm_endpoint()) == nil)
    }

    @Test func mediaEndpointConversionsMatchTheBytes() throws {
        let v4 = MediaEndpoint(address: .v4(0x0A01_0203), port: 7)
        #expect(SocketEndpoint(v4) == SocketEndpoint.ipv4(10, 1, 2, 3, port: 7))
        #expect(DataPlaneExecutor.mediaEndpoint(SocketEndpoint(v4)) == v4)
        let v6 = MediaEndpoint(address: .v6(high: 0x2001_0db8_0000_0001, low: 0x0000_0000_0000_0042), port: 9)
        #expect(SocketEndpoint(v6) == SocketEndpoint(address: "2001:db8:0:1::42", port: 9))
        #expect(DataPlaneExecutor.mediaEndpoint(SocketEndpoint(v6)) == v6)
        // IPv4-mapped IPv6 sources become IPv4.
        let mapped = try #require(SocketEndpoint(address: "::ffff:10.1.2.3", port: 7))
        #expect(DataPlaneExecutor.mediaEndpoint(mapped) == v4)
    }

    @Test func wildcardAndLoopbackReadTheWords() throws {
        #expect(try #require(SocketEndpoint(address: "0.0.0.0", port: 1)).isWildcard)
        #expect(try #require(SocketEndpoint(address: "::", port: 1)).isWildcard)
        #expect(!(try #require(SocketEndpoint(address: "::1", port: 1)).isWildcard))
        #expect(DataPlaneExecutor.isLoopback(try #require(SocketEndpoint(address: "127.3.4.5", port: 1))))
        #expect(DataPlaneExecutor.isLoopback(try #require(SocketEndpoint(address: "::1", port: 1))))
        #expect(!DataPlaneExecutor.isLoopback(try #require(SocketEndpoint(address: "128.0.0.1", port: 1))))
        #expect(!DataPlaneExecutor.isLoopback(try #require(SocketEndpoint(address: "::2", port: 1))))
    }
}
