/// The `Signaling` library: everything `tandem signaling` is made of.
///
/// - `Message/`: the SIP message codec (lazy headers, byte-exact round trips, typed errors with offsets).
/// - `Transport/`: SwiftNIO UDP/TCP listeners; replies leave from the socket the peer's traffic arrived on.
/// - `Transaction/`, `Proxy/`: RFC 3261 §17 transactions and the §16 stateful proxy, sans-I/O.
/// - `Registrar/`: registrar and location (RFC 3261 §10, Path, NAT detection/fixes, SQLite persistence, keepalives).
/// - `Dispatcher/`: destination sets over the FreeSWITCH farm (algorithms, rendezvous hashing, probing, ESL load).
/// - `Steering/`: the ng client that puts calls' media through relays.
/// - `Presence/`: SUBSCRIBE/NOTIFY, PUBLISH, BLF dialog state and MESSAGE with offline store.
/// - `DNS/`: RFC 3263 server location (NAPTR → SRV → A/AAAA) with its own DNS codec.
/// - `Edge/`: the `tandem signaling` daemon that puts these cores on one event loop.
public enum SignalingLibrary {
    /// The name shown in logs, `Server` and `User-Agent` headers.
    public static let name = "tandem-signaling"
}
