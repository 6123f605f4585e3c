/// An x–y chart as a standalone SVG document: axes with ticks and grid, one path per series (line, markers, or
/// steps for histograms), a legend, a title. No scripts, no external fonts or styles: the file renders the same in
/// a browser, an image viewer or inlined in an HTML report.
public struct SVGChart: Sendable {
    public enum Style: Sendable, Equatable {
        case line
        case markers
        case lineAndMarkers
        /// A step line: each point's y holds from the previous point's x to its own (histogram buckets).
        case steps
        /// Dashed line without markers (a reference such as "offered = achieved").
        case dashed
    }

    public struct Series: Sendable {
        public var name: String
        public var points: [(x: Double, y: Double)]
        public var style: Style
        public init(name: String, points: [(x: Double, y: Double)], style: Style = .lineAndMarkers) {
            self.name = name
            self.points = points
            self.style = style
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var xKind: AxisScale.Kind = .linear
    public var yKind: AxisScale.Kind = .linear
    public var series: [Series]
    public var width = 640.0
    public var height = 380.0
    /// A note under the title (units, what "better" is).
    public var subtitle: String?

    public init(title: String, xLabel: String, yLabel: String, series: [Series]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
    }

    /// The colour of series `i` (a palette that stays distinguishable for the common colour-vision deficiencies).
    public static func color(_ i: Int) -> String {
        let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
        return palette[((i % palette.count) + palette.count) % palette.count]
    }

    static let left = 72.0, right = 24.0, top = 74.0, bottom = 52.0

    public func svg() -> String {
        let plotW = width - SVGChart.left - SVGChart.right, plotH = height - SVGChart.top - SVGChart.bottom
        let xs = series.flatMap { $0.points.map(\.x) }, ys = series.flatMap { $0.points.map(\.y) }
        let xScale = AxisScale(kind: xKind, covering: xs, includeZero: xKind == .linear && xs.allSatisfy { $0 >= 0 })
        let yScale = AxisScale(kind: yKind, covering: ys)
        let px = { (x: Double) in SVGChart.left + xScale.fraction(x) * plotW }
        let py = { (y: Double) in SVGChart.top + plotH - yScale.fraction(y) * plotH }
        let n = XMLText.number
        var out = SVGDocument.open(width: width, height: height)
        out += "<text x=\"\(n(width / 2))\" y=\"20\" class=\"title\" text-anchor=\"middle\">\(XMLText.escape(title))</text>\n"
        if let subtitle {
            out += "<text x=\"\(n(width / 2))\" y=\"36\" class=\"note\" text-anchor=\"middle\">\(XMLText.escape(subtitle))</text>\n"
        }
        // Grid and ticks.
        for t in yScale.ticks() {
            let y = py(t)
            out += "<line x1=\"\(n(SVGChart.left))\" y1=\"\(n(y))\" x2=\"\(n(SVGChart.left + plotW))\" y2=\"\(n(y))\" class=\"grid\"/>\n"
            out += "<text x=\"\(n(SVGChart.left - 6))\" y=\"\(n(y + 4))\" class=\"tick\" text-anchor=\"end\">\(AxisScale.label(t))</text>\n"
        }
        for t in xScale.ticks() {
            let x = px(t)
            out += "<line x1=\"\(n(x))\" y1=\"\(n(SVGChart.top))\" x2=\"\(n(x))\" y2=\"\(n(SVGChart.top + plotH))\" class=\"grid\"/>\n"
            out += "<text x=\"\(n(x))\" y=\"\(n(SVGChart.top + plotH + 16))\" class=\"tick\" text-anchor=\"middle\">\(AxisScale.label(t))</text>\n"
        }
        out += "<rect x=\"\(n(SVGChart.left))\" y=\"\(n(SVGChart.top))\" width=\"\(n(plotW))\" height=\"\(n(plotH))\" class=\"frame\"/>\n"
        out += "<text x=\"\(n(SVGChart.left + plotW / 2))\" y=\"\(n(height - 10))\" class=\"label\" text-anchor=\"middle\">\(XMLText.escape(xLabel))</text>\n"
        out += "<text x=\"16\" y=\"\(n(SVGChart.top + plotH / 2))\" class=\"label\" text-anchor=\"middle\" " +
            "transform=\"rotate(-90 16 \(n(SVGChart.top + plotH / 2)))\">\(XMLText.escape(yLabel))</text>\n"
        // Series.
        for (i, s) in series.enumerated() where !s.points.isEmpty {
            let color = SVGChart.color(i)
            let pts = s.points.filter { $0.x.isFinite && $0.y.isFinite && (xKind == .linear || $0.x > 0) && (yKind == .linear || $0.y > 0) }
            var d = ""
            switch s.style {
            case .steps:
                var previousX: Double?
                for p in pts {
                    let startX = previousX ?? p.x
                    d += (d.isEmpty ? "M" : "L") + "\(n(px(startX))) \(n(py(p.y))) L\(n(px(p.x))) \(n(py(p.y))) "
                    previousX = p.x
                }
            default:
                for p in pts { d += (d.isEmpty ? "M" : "L") + "\(n(px(p.x))) \(n(py(p.y))) " }
            }
            if s.style != .markers, !d.isEmpty {
                let dash = s.style == .dashed ? " stroke-dasharray=\"6 4\"" : ""
                out += "<path d=\"\(d.trimmingTrailingSpace)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"\(dash)/>\n"
            }
            if s.style == .markers || s.style == .lineAndMarkers {
                for p in pts {
                    out += "<circle cx=\"\(n(px(p.x)))\" cy=\"\(n(py(p.y)))\" r=\"3.5\" fill=\"\(color)\"/>\n"
                }
            }
        }
        out += SVGDocument.legend(names: series.map(\.name), dashed: series.map { $0.style == .dashed },
                                  x: SVGChart.left, y: 58, width: plotW)
        out += "</svg>\n"
        return out
    }
}

extension String {
    var trimmingTrailingSpace: String {
        var s = self
        while s.hasSuffix(" ") { s.removeLast() }
        return s
    }
}
