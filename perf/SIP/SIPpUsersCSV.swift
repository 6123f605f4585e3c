/// The injection file of the REGISTER scenario (`sipp -inf users.csv`): `SEQUENTIAL`, then one `user;domain` line
/// per subscriber. SEQUENTIAL makes call k register user k mod N, so `--users 10000` with ≥ 10000 calls registers
/// every user once before any re-registration, which is what a registrar's steady state looks like.
public enum SIPpUsersCSV {
    /// Users are `<prefix><index>` with a zero-padded index (`u00000`…), so all user parts have the same length
    /// and the message size does not drift during a run.
    public static func make(count: Int, domain: String, prefix: String = "u") -> String {
        let width = String(max(0, count - 1)).count
        var out = "SEQUENTIAL\n"
        out.reserveCapacity(11 + count * (prefix.count + width + domain.count + 2))
        for index in 0..<max(0, count) {
            let digits = String(index)
            out += prefix
            out += String(repeating: "0", count: width - digits.count)
            out += digits
            out += ";"
            out += domain
            out += "\n"
        }
        return out
    }
}
