#if canImport(Glibc)
import Glibc
#endif

/// A self-contained report: sections of prose, tables and charts, written as one HTML file (inline SVG and CSS,
/// no scripts, nothing fetched) or as one SVG file (the charts stacked, with the title and notes on top).
public struct ReportDocument: Sendable {
    public struct Table: Sendable {
        public var header: [String]
        public var rows: [[String]]
        public init(header: [String], rows: [[String]]) {
            self.header = header
            self.rows = rows
        }
    }

    public struct Section: Sendable {
        public var heading: String
        public var paragraphs: [String] = []
        public var table: Table?
        /// Standalone SVG documents (from `SVGChart` / `SVGBarChart`).
        public var charts: [String] = []
        public init(heading: String, paragraphs: [String] = [], table: Table? = nil, charts: [String] = []) {
            self.heading = heading
            self.paragraphs = paragraphs
            self.table = table
            self.charts = charts
        }
    }

    public var title: String
    public var notes: [String]
    public var sections: [Section]

    public init(title: String, notes: [String] = [], sections: [Section] = []) {
        self.title = title
        self.notes = notes
        self.sections = sections
    }

    public func html() -> String {
        let e = XMLText.escape
        var out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>\(e(title))</title>\n" +
            "<style>body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;margin:24px;color:#222;max-width:1400px}" +
            "h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}" +
            "table{border-collapse:collapse;font-size:13px;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px}" +
            "td{text-align:right}td:first-child,th{text-align:left}th{background:#f3f3f3}" +
            ".note{color:#555;font-size:13px}.charts{display:flex;flex-wrap:wrap;gap:10px}" +
            ".charts svg{border:1px solid #eee;width:calc(50% - 8px);min-width:480px;height:auto}</style></head><body>\n"
        out += "<h1>\(e(title))</h1>\n"
        for n in notes { out += "<p class=\"note\">\(e(n))</p>\n" }
        for s in sections {
            out += "<h2>\(e(s.heading))</h2>\n"
            for p in s.paragraphs { out += "<p>\(e(p))</p>\n" }
            if let t = s.table {
                out += "<table><tr>" + t.header.map { "<th>\(e($0))</th>" }.joined() + "</tr>\n"
                for row in t.rows { out += "<tr>" + row.map { "<td>\(e($0))</td>" }.joined() + "</tr>\n" }
                out += "</table>\n"
            }
            if !s.charts.isEmpty { out += "<div class=\"charts\">\n" + s.charts.joined() + "</div>\n" }
        }
        return out + "</body></html>\n"
    }

    /// All charts in one SVG, two per row, under the title and notes (tables are left out: use HTML for them).
    public func svg() -> String {
        let charts = sections.flatMap(\.charts)
        let cellW = 640.0, cellH = 380.0, gap = 12.0
        let columns = charts.count > 1 ? 2 : 1
        let rows = (charts.count + columns - 1) / columns
        let header = 40.0 + 16.0 * Double(notes.count)
        let width = Double(columns) * cellW + Double(columns - 1) * gap
        let height = header + Double(rows) * (cellH + gap)
        let n = XMLText.number
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(n(width))\" height=\"\(n(height))\" " +
            "viewBox=\"0 0 \(n(width)) \(n(height))\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n" +
            "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n" +
            "<text x=\"8\" y=\"24\" font-size=\"18\" font-weight=\"bold\" fill=\"#222\">\(XMLText.escape(title))</text>\n"
        for (i, note) in notes.enumerated() {
            out += "<text x=\"8\" y=\"\(n(42 + 16 * Double(i)))\" font-size=\"12\" fill=\"#555\">\(XMLText.escape(note))</text>\n"
        }
        for (i, chart) in charts.enumerated() {
            let x = Double(i % columns) * (cellW + gap), y = header + Double(i / columns) * (cellH + gap)
            guard let open = chart.firstRange(of: "<svg ") else { continue }
            var placed = chart
            placed.replaceSubrange(open, with: "<svg x=\"\(n(x))\" y=\"\(n(y))\" ")
            out += placed
        }
        return out + "</svg>\n"
    }

    public struct WriteError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Writes HTML or SVG by the file's extension (`.html`/`.htm`, `.svg`).
    public func write(to path: String) throws(WriteError) {
        let lower = path.lowercased()
        let text: String
        if lower.hasSuffix(".svg") {
            text = svg()
        } else if lower.hasSuffix(".html") || lower.hasSuffix(".htm") {
            text = html()
        } else {
            throw WriteError(description: "--report must end in .svg or .html: \(path)")
        }
        guard let file = fopen(path, "wb") else { throw WriteError(description: "cannot write \(path)") }
        defer { fclose(file) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        guard written == bytes.count else { throw WriteError(description: "short write to \(path)") }
    }
}
