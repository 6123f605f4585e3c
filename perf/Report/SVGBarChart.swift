/// Grouped bars with optional min–max whiskers: one group per category (a metric, a configuration), one bar per
/// series (a relay). What `perf compare` and `perf tune` plot.
public struct SVGBarChart: Sendable {
    public struct Bar: Sendable {
        public var value: Double
        /// Whisker from `low` to `high` (the spread over rounds), when known.
        public var low: Double?
        public var high: Double?
        public init(value: Double, low: Double? = nil, high: Double? = nil) {
            self.value = value
            self.low = low
            self.high = high
        }
    }

    public var title: String
    public var yLabel: String
    public var categories: [String]
    public var seriesNames: [String]
    /// `values[category][series]`; nil leaves a gap.
    public var values: [[Bar?]]
    public var width = 640.0
    public var height = 380.0
    public var subtitle: String?

    public init(title: String, yLabel: String, categories: [String], seriesNames: [String], values: [[Bar?]]) {
        self.title = title
        self.yLabel = yLabel
        self.categories = categories
        self.seriesNames = seriesNames
        self.values = values
    }

    public func svg() -> String {
        let n = XMLText.number
        let plotW = width - SVGChart.left - SVGChart.right, plotH = height - SVGChart.top - SVGChart.bottom
        let all = values.flatMap { $0.compactMap { $0 } }.flatMap { [$0.value, $0.high ?? $0.value] }
        let y = AxisScale(kind: .linear, covering: all)
        let py = { (v: Double) in SVGChart.top + plotH - y.fraction(v) * plotH }
        var out = SVGDocument.open(width: width, height: height)
        out += "<text x=\"\(n(width / 2))\" y=\"20\" class=\"title\" text-anchor=\"middle\">\(XMLText.escape(title))</text>\n"
        if let subtitle {
            out += "<text x=\"\(n(width / 2))\" y=\"36\" class=\"note\" text-anchor=\"middle\">\(XMLText.escape(subtitle))</text>\n"
        }
        for t in y.ticks() {
            out += "<line x1=\"\(n(SVGChart.left))\" y1=\"\(n(py(t)))\" x2=\"\(n(SVGChart.left + plotW))\" y2=\"\(n(py(t)))\" class=\"grid\"/>\n"
            out += "<text x=\"\(n(SVGChart.left - 6))\" y=\"\(n(py(t) + 4))\" class=\"tick\" text-anchor=\"end\">\(AxisScale.label(t))</text>\n"
        }
        out += "<rect x=\"\(n(SVGChart.left))\" y=\"\(n(SVGChart.top))\" width=\"\(n(plotW))\" height=\"\(n(plotH))\" class=\"frame\"/>\n"
        out += "<text x=\"16\" y=\"\(n(SVGChart.top + plotH / 2))\" class=\"label\" text-anchor=\"middle\" " +
            "transform=\"rotate(-90 16 \(n(SVGChart.top + plotH / 2)))\">\(XMLText.escape(yLabel))</text>\n"
        let groups = Double(Swift.max(1, categories.count))
        let groupW = plotW / groups
        let barW = groupW * 0.8 / Double(Swift.max(1, seriesNames.count))
        for (c, category) in categories.enumerated() {
            let gx = SVGChart.left + Double(c) * groupW + groupW * 0.1
            out += "<text x=\"\(n(gx + groupW * 0.4))\" y=\"\(n(SVGChart.top + plotH + 16))\" class=\"tick\" " +
                "text-anchor=\"middle\">\(XMLText.escape(category))</text>\n"
            for s in seriesNames.indices {
                guard c < values.count, s < values[c].count, let bar = values[c][s] else { continue }
                let x = gx + Double(s) * barW
                let top = py(bar.value)
                out += "<rect x=\"\(n(x + 1))\" y=\"\(n(top))\" width=\"\(n(Swift.max(1, barW - 2)))\" " +
                    "height=\"\(n(SVGChart.top + plotH - top))\" fill=\"\(SVGChart.color(s))\"/>\n"
                if let lo = bar.low, let hi = bar.high, hi > lo {
                    let cx = x + barW / 2
                    out += "<line x1=\"\(n(cx))\" y1=\"\(n(py(lo)))\" x2=\"\(n(cx))\" y2=\"\(n(py(hi)))\" class=\"whisker\"/>\n"
                    out += "<line x1=\"\(n(cx - 4))\" y1=\"\(n(py(lo)))\" x2=\"\(n(cx + 4))\" y2=\"\(n(py(lo)))\" class=\"whisker\"/>\n"
                    out += "<line x1=\"\(n(cx - 4))\" y1=\"\(n(py(hi)))\" x2=\"\(n(cx + 4))\" y2=\"\(n(py(hi)))\" class=\"whisker\"/>\n"
                }
                // The figure sits above the whisker (or the bar), so neither hides it.
                let labelY = py(Swift.max(bar.value, bar.high ?? bar.value)) - 5
                out += "<text x=\"\(n(x + barW / 2))\" y=\"\(n(labelY))\" class=\"tick\" text-anchor=\"middle\">" +
                    "\(AxisScale.figure(bar.value))</text>\n"
            }
        }
        out += SVGDocument.legend(names: seriesNames, dashed: [], x: SVGChart.left, y: 58, width: plotW)
        out += "</svg>\n"
        return out
    }
}
