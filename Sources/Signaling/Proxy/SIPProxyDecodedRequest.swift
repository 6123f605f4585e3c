/// What `SIPMessage.validateDecoding()` had to decode from a request anyway, handed to the checks
/// that follow it (`received`/`rport`, §16.3 items 2 and 4, Route pre-processing) so that a request
/// answered at once — a REGISTER — has its Request-URI and Vias parsed once instead of three or four times.
struct SIPProxyDecodedRequest {
    var requestURI: SIPURI?
    /// Every Via value, top first, as received (before `received`/`rport` are filled in).
    var vias: [SIPVia]
}
