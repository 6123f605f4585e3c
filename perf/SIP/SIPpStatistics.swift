/// The cumulative figures of a SIPp run, read from the last row of its statistics file (`-trace_stat -stf FILE`).
///
/// SIPp writes one `;`-separated row per `-fd` period; the `(C)` columns are cumulative since start, so the last
/// row describes the whole run. Column positions differ between scenarios (one `ResponseTime<name>` column pair per
/// RTD timer, one repartition column per bucket), so columns are found by header name.
public struct SIPpStatistics: Sendable, Hashable, Codable {
    public var elapsedSeconds: Double
    public var targetRate: Double
    /// Calls per second over the whole run, as SIPp computes it.
    public var callRate: Double
    public var totalCalls: Int
    public var successfulCalls: Int
    public var failedCalls: Int
    public var retransmissions: Int
    /// Non-zero `Failed…(C)` counters by cause (`MaxUDPRetrans`, `UnexpectedMessage`, `TimeoutOnRecv`, …).
    public var failures: [String: Int]
    /// Mean response time of each RTD timer (`reg`, `invite`, `bye`) in milliseconds.
    public var meanResponseMilliseconds: [String: Double]

    public enum ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        case noHeader
        case noDataRow
        case missingColumn(String)
        /// A value that is not a number (1-based line, column name, the text).
        case badValue(line: Int, column: String, text: String)

        public var description: String {
            switch self {
            case .noHeader: return "SIPp statistics: no header row"
            case .noDataRow: return "SIPp statistics: header but no data row"
            case .missingColumn(let name): return "SIPp statistics: no column \(name)"
            case .badValue(let line, let column, let text): return "SIPp statistics line \(line), \(column): '\(text)'"
            }
        }
    }

    public init(csv: String) throws(ParseError) {
        let lines = csv.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).filter { !$0.isEmpty }
        guard let header = lines.first, header.hasPrefix("StartTime") else { throw .noHeader }
        guard lines.count >= 2 else { throw .noDataRow }
        let names = header.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
        let values = lines[lines.count - 1].split(separator: ";", omittingEmptySubsequences: false).map(String.init)
        let lineNumber = lines.count
        var column: [String: String] = [:]
        for (index, name) in names.enumerated() where !name.isEmpty && index < values.count {
            column[name] = values[index]
        }
        func text(_ name: String) throws(ParseError) -> String {
            guard let value = column[name] else { throw .missingColumn(name) }
            return value
        }
        func integer(_ name: String) throws(ParseError) -> Int {
            let value = try text(name)
            guard let number = Int(value) else { throw .badValue(line: lineNumber, column: name, text: value) }
            return number
        }
        func real(_ name: String) throws(ParseError) -> Double {
            let value = try text(name)
            guard let number = Double(value) else { throw .badValue(line: lineNumber, column: name, text: value) }
            return number
        }
        func duration(_ name: String) throws(ParseError) -> Double {
            let value = try text(name)
            guard let seconds = SIPpStatistics.seconds(value) else {
                throw .badValue(line: lineNumber, column: name, text: value)
            }
            return seconds
        }
        elapsedSeconds = try duration("ElapsedTime(C)")
        targetRate = try real("TargetRate")
        callRate = try real("CallRate(C)")
        totalCalls = try integer("TotalCallCreated")
        successfulCalls = try integer("SuccessfulCall(C)")
        failedCalls = try integer("FailedCall(C)")
        retransmissions = try integer("Retransmissions(C)")
        var failures: [String: Int] = [:]
        var means: [String: Double] = [:]
        for name in names where name.hasSuffix("(C)") {
            let base = name.dropLast(3)
            if base.hasPrefix("Failed"), base != "FailedCall" {
                let count = try integer(name)
                if count != 0 { failures[String(base.dropFirst("Failed".count))] = count }
            } else if base.hasPrefix("ResponseTime"), !base.hasSuffix("StDev") {
                means[String(base.dropFirst("ResponseTime".count))] = try duration(name) * 1000
            }
        }
        self.failures = failures
        meanResponseMilliseconds = means
    }

    /// `hh:mm:ss` or `hh:mm:ss:uuuuuu` (SIPp's duration formats) in seconds.
    static func seconds(_ text: String) -> Double? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3 || parts.count == 4 else { return nil }
        var numbers: [Int] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 9, let value = Int(part), value >= 0 else { return nil }
            numbers.append(value)
        }
        let whole = Double(numbers[0] * 3600 + numbers[1] * 60 + numbers[2])
        return parts.count == 4 ? whole + Double(numbers[3]) / 1_000_000 : whole
    }
}
