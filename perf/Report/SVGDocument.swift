/// The parts every chart shares: the `<svg>` header with its embedded style sheet, and the legend row.
public enum SVGDocument {
    static func open(width: Double, height: Double) -> String {
        let w = XMLText.number(width), h = XMLText.number(height)
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\" " +
            "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n" +
            "<style>.title{font-size:15px;font-weight:bold;fill:#222}.note{font-size:11px;fill:#555}" +
            ".tick{font-size:11px;fill:#444}.label{font-size:12px;fill:#222}.legend{font-size:12px;fill:#222}" +
            ".grid{stroke:#e4e4e4;stroke-width:1}.frame{fill:none;stroke:#888;stroke-width:1}" +
            ".whisker{stroke:#222;stroke-width:1.2}</style>\n" +
            "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
    }

    /// One row of swatches and names, centred over the plot (names wider than the row wrap to a second one).
    static func legend(names: [String], dashed: [Bool], x: Double, y: Double, width: Double) -> String {
        guard !names.isEmpty else { return "" }
        let n = XMLText.number
        // Text width estimate: 7 px per character at 12 px (the report does not measure fonts).
        let widths = names.map { 26 + 7 * Double($0.count) + 14 }
        var rows: [[Int]] = [[]]
        var rowWidth = 0.0
        for (i, w) in widths.enumerated() {
            if rowWidth + w > width, !(rows.last?.isEmpty ?? true) {
                rows.append([])
                rowWidth = 0
            }
            rows[rows.count - 1].append(i)
            rowWidth += w
        }
        var out = ""
        for (r, row) in rows.enumerated() {
            let total = row.reduce(0) { $0 + widths[$1] }
            var cx = x + Swift.max(0, (width - total) / 2)
            let cy = y - Double(rows.count - 1 - r) * 15
            for i in row {
                let dash = i < dashed.count && dashed[i] ? " stroke-dasharray=\"6 4\"" : ""
                out += "<line x1=\"\(n(cx))\" y1=\"\(n(cy - 4))\" x2=\"\(n(cx + 20))\" y2=\"\(n(cy - 4))\" " +
                    "stroke=\"\(SVGChart.color(i))\" stroke-width=\"3\"\(dash)/>\n"
                out += "<text x=\"\(n(cx + 26))\" y=\"\(n(cy))\" class=\"legend\">\(XMLText.escape(names[i]))</text>\n"
                cx += widths[i]
            }
        }
        return out
    }
}
