/// The `Signaling` library: everything `tandem signaling` is made of.
///
/// - `Message/`: the SIP message codec (lazy headers, byte-exact round trips, typed errors with offsets).
/// - `Registrar/`: registrar and location (RFC 3261 §10, Path, NAT detection/fixes, SQLite persistence, keepalives).
public enum SignalingLibrary {
    /// The name shown in logs, `Server` and `User-Agent` headers.
    public static let name = "tandem-signaling"
}
