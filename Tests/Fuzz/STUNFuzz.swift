// libFuzzer target for the STUN codec (the relay's ICE-lite answers read untrusted datagrams). Build:
//   swiftc -sanitize=fuzzer,address -parse-as-library -O Sources/Relay/STUN/STUN{Header,Message,CRC32,TransportAddress,ParseError}.swift Tests/Fuzz/STUNFuzz.swift -o /tmp/stunfuzz
// (STUNMessageIntegrity and the writer need swift-crypto's HMAC and are left out.)
//
// Checks: the data plane's cheap test and the parser never trap and agree (what parses passes `isSTUN`);
// attribute ranges stay inside the message; XOR-MAPPED-ADDRESS decoding and re-encoding round-trip.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let looksLikeSTUN = STUNHeader.isSTUN(UnsafeRawPointer(data), count: size)
    guard let message = try? STUNMessage(parsing: bytes) else { return 0 }
    precondition(looksLikeSTUN, "a message that parses failed the data plane's STUN test")
    for attribute in message.attributes {
        precondition(attribute.value.lowerBound >= STUNHeader.length && attribute.value.upperBound <= bytes.count,
                     "attribute value outside the message")
    }
    _ = message.fingerprintIsValid
    _ = message.unknownRequiredAttributes(known: [STUNAttributeType.username, STUNAttributeType.messageIntegrity])
    if let value = message.value(of: STUNAttributeType.xorMappedAddress),
       let address = STUNTransportAddress.xorDecoded(value, transactionID: message.transactionID) {
        let encoded = address.xorEncoded(transactionID: message.transactionID)
        precondition(STUNTransportAddress.xorDecoded(encoded, transactionID: message.transactionID) == address,
                     "XOR-MAPPED-ADDRESS does not round-trip")
    }
    return 0
}
