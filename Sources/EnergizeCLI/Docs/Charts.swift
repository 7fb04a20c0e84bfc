import Foundation

/// The SVG charts of the docs site: a run's timeline and a series of bars.
enum Charts {
    private static let colours = ["ok": "#2da44e", "bad": "#cf222e", "same": "#afb8c1", "other": "#54aeff"]

    /// A run as bars over time: each stream's load and each model's build from its start to its
    /// end, coloured by status (failed ones red), on an axis of seconds since the run started.
    /// - Parameter run: the run.
    static func timeline(_ run: DocsCatalog.Run) -> String {
        let label = 210.0, plot = 760.0, row = 18.0, top = 22.0
        let end = max(run.bars.map(\.end).max() ?? 0, run.durationSeconds ?? 0, 0.001)
        let height = top + Double(run.bars.count) * row + 8
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\" data-run=\"\(run.runId)\" width=\"\(Int(label + plot + 20))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"Run \(run.runId) timeline\">\n"
        let axis = ticks(upTo: end)
        for tick in axis.positions {
            let x = label + tick / end * plot
            out += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eaeef2\"/>", x, top - 4, x, height - 4)
            out += String(format: "<text x=\"%.1f\" y=\"12\" fill=\"#5b6675\" text-anchor=\"middle\">%@</text>\n", x,
                          tickLabel(tick, decimals: axis.decimals))
        }
        for (index, bar) in run.bars.enumerated() {
            let y = top + Double(index) * row
            let x = label + max(0, bar.start) / end * plot
            let width = max(2, (bar.end - max(0, bar.start)) / end * plot)
            let colour = colours[HTML.statusClass(bar.status)] ?? "#54aeff"
            let title = "\(bar.kind) \(bar.name): \(bar.status), \(HTML.duration(max(0, bar.end - bar.start)))"
            out += String(format: "<text x=\"%.1f\" y=\"%.1f\" fill=\"#1d2430\" text-anchor=\"end\">%@</text>", label - 8, y + 12,
                          HTML.escape((bar.kind == "stream" ? "▸ " : "") + bar.name))
            out += String(format: "<rect class=\"bar %@\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"2\" fill=\"%@\"><title>%@</title></rect>\n",
                          HTML.statusClass(bar.status), x, y + 2, width, row - 5, colour, HTML.escape(title))
        }
        return out + "</svg>"
    }

    /// Vertical bars of `values` (oldest first), each labelled below.
    /// - Parameters:
    ///   - values: the bars' labels, heights and statuses.
    ///   - unit: what the heights count, for the hover titles.
    static func bars(_ values: [(label: String, value: Int, status: String)], unit: String) -> String {
        let width = 24.0, gap = 6.0, height = 120.0, bottom = 20.0, left = 56.0
        let top = Double(max(values.map(\.value).max() ?? 0, 1))
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"bars\" width=\"\(Int(left + Double(values.count) * (width + gap) + 10))\" height=\"\(Int(height + bottom + 10))\" role=\"img\" aria-label=\"\(HTML.escape(unit)) per run\">\n"
        out += String(format: "<text x=\"%.1f\" y=\"14\" fill=\"#5b6675\" text-anchor=\"end\">%@</text>", left - 6, HTML.count(Int(top)))
        out += String(format: "<text x=\"%.1f\" y=\"%.1f\" fill=\"#5b6675\" text-anchor=\"end\">0</text>\n", left - 6, height + 4)
        for (index, bar) in values.enumerated() {
            let x = left + Double(index) * (width + gap)
            let h = max(1, Double(bar.value) / top * (height - 10))
            out += String(format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%@\"><title>%@</title></rect>", x, height - h, width, h,
                          colours[HTML.statusClass(bar.status)] ?? "#54aeff", HTML.escape("\(bar.label): \(HTML.count(bar.value)) \(unit), \(bar.status)"))
            out += String(format: "<text x=\"%.1f\" y=\"%.1f\" fill=\"#5b6675\" text-anchor=\"middle\">%@</text>\n", x + width / 2, height + 16, HTML.escape(bar.label))
        }
        return out + "</svg>"
    }

    /// Round tick positions from 0 to `end` seconds, about eight of them, and the decimals their
    /// labels need to tell them apart (a step of 0.05 s two, of 0.2 s one, of 5 s none).
    /// - Parameter end: the axis' last second (above 0).
    static func ticks(upTo end: Double) -> (positions: [Double], decimals: Int) {
        let raw = end / 8
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        let decimals = max(0, Int(ceil(-log10(step) - 1e-6)))
        return (stride(from: 0, through: end, by: step).map { $0 }, decimals)
    }

    /// A tick's label: its seconds with `decimals` decimals.
    static func tickLabel(_ seconds: Double, decimals: Int) -> String {
        String(format: "%.\(decimals)f s", seconds)
    }
}
