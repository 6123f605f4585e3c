import Foundation
@testable import Signaling

/// Loads the RFC 4475 torture messages (the bit-exact bytes of the RFC's Appendix A archive).
enum RFC4475Fixtures {
    static func bytes(_ name: String) throws -> [UInt8] {
        guard let url = Bundle.module.url(forResource: name, withExtension: "dat", subdirectory: "Fixtures/rfc4475") else {
            throw CocoaError(.fileNoSuchFile)
        }
        return [UInt8](try Data(contentsOf: url))
    }

    static let valid = ["wsinv", "intmeth", "esc01", "escnull", "esc02", "lwsdisp", "longreq", "dblreq", "semiuri",
                        "transports", "mpart01", "unreason", "noreason"]
    static let invalid = ["badinv01", "clerr", "ncl", "scalar02", "scalarlg", "quotbal", "ltgtruri", "lwsruri",
                          "lwsstart", "trws", "escruri", "baddate", "regbadct", "badaspec", "baddn", "badvers",
                          "mismatch01", "mismatch02", "bigcode"]
    static let transaction = ["badbranch"]
    static let application = ["insuf", "unkscm", "novelsc", "unksm2", "bext01", "invut", "regaut01", "multi01", "mcl01",
                              "bcast", "zeromf", "cparam01", "cparam02", "regescrt", "sdp01"]
    static let backwardCompatibility = ["inv2543"]
    static var all: [String] { valid + invalid + transaction + application + backwardCompatibility }
}

/// Helper: the error kind a throwing closure produced (nil when it succeeded).
func errorKind<T>(_ body: () throws(SIPParseError) -> T) -> SIPParseError.Kind? {
    do {
        _ = try body()
        return nil
    } catch {
        return error.kind
    }
}

func parseError<T>(_ body: () throws(SIPParseError) -> T) -> SIPParseError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}
