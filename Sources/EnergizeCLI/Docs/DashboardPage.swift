import Foundation

/// The dashboard's page: each panel drawn from its query's rows (charts as SVG, tables, KPIs).
/// Every number shown carries its value as the warehouse returned it (`data-value`), and each
/// panel shows its SQL, so what a panel says can be checked against the database.
struct DashboardPage {
    /// One panel's rows, or why they could not be read.
    struct Result {
        var columns: [String]
        var rows: [[String?]]
        var error: String?
    }

    let dashboard: Dashboard
    let results: [Result]
    let project: String
    /// More pages the bar links to, as (path, text).
    var links: [(String, String)] = []

    private static let palette = ["#0969da", "#2da44e", "#bf8700", "#8250df", "#cf222e", "#1b7c83", "#bf3989", "#6e7781", "#fb8f44", "#54aeff"]

    func html() -> String {
        var body = "<p>\(dashboard.panels.count) panels, numbers from the warehouse when the site was generated.</p><div class=\"panels\">"
        for (index, panel) in dashboard.panels.enumerated() {
            let result = index < results.count ? results[index] : Result(columns: [], rows: [], error: "not read")
            body += "<section class=\"panel\" id=\"panel-\(index + 1)\" data-chart=\"\(panel.chart.rawValue)\" data-y=\"\(HTML.escape(panel.y.joined(separator: ",")))\"><h2>\(HTML.escape(panel.title))</h2>"
            if let description = panel.description { body += "<p class=\"description\">\(HTML.escape(description))</p>" }
            if let error = result.error {
                body += "<p><span class=\"status bad\">not available</span> \(HTML.escape(error))</p>"
            } else if result.rows.isEmpty {
                body += "<p class=\"empty\">The query returned no rows.</p>"
            } else {
                body += render(panel, result)
            }
            body += "<details><summary>SQL</summary><pre class=\"panel-sql\"><code>\(HTML.escape(panel.sql))</code></pre></details></section>"
        }
        return HTML.page(title: dashboard.title, project: project, root: "", body: body + "</div>", dashboard: true, links: links)
    }

    private func render(_ panel: Dashboard.Panel, _ result: Result) -> String {
        let position = Dictionary(result.columns.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { first, _ in first })
        let missing = ([panel.x, panel.series].compactMap { $0 } + panel.y).filter { position[$0] == nil }
        guard missing.isEmpty else {
            return "<p><span class=\"status bad\">not available</span> the query returns no column \(missing.map { "<code>\(HTML.escape($0))</code>" }.joined(separator: ", ")); it returns \(result.columns.map { "<code>\(HTML.escape($0))</code>" }.joined(separator: ", "))</p>"
        }
        switch panel.chart {
        case .kpi:
            let raw = result.rows[0][position[panel.y[0]]!]
            return "<div class=\"kpi\"><span class=\"value\" data-value=\"\(HTML.escape(raw ?? ""))\">\(HTML.escape(formatted(raw, panel.axisFormat)))</span>"
                + "<span class=\"label\">\(HTML.escape(panel.y[0]))</span></div>"
        case .table:
            let shown = panel.y.isEmpty ? result.columns : [panel.x].compactMap { $0 } + panel.y
            let rows = result.rows.prefix(200).map { row in
                shown.map { column -> String in
                    let raw = row[position[column]!]
                    if panel.y.contains(column) {
                        return "<span data-value=\"\(HTML.escape(raw ?? ""))\">\(HTML.escape(formatted(raw, panel.format(of: column))))</span>"
                    }
                    return HTML.escape(dashboard.locale.label(raw ?? ""))
                }
            }
            return "<div class=\"scroll\">" + HTML.table(shown, rows, numeric: Set(shown.indices.filter { panel.y.contains(shown[$0]) })) + "</div>"
        case .bar, .stackedBar, .line:
            return "<div class=\"chart\">\(chart(panel, result, position))</div>"
        }
    }

    private func formatted(_ raw: String?, _ format: Dashboard.Format) -> String {
        guard let raw else { return "–" }
        guard let value = Double(raw) else { return dashboard.locale.label(raw) }
        return dashboard.locale.format(value, format)
    }

    /// Bars (one series), stacked bars (a stack per `series` value) or lines (one per `series` value, or per `y` column).
    private func chart(_ panel: Dashboard.Panel, _ result: Result, _ position: [String: Int]) -> String {
        let x = position[panel.x!]!
        var categories: [String] = [], series: [String] = []
        var values: [String: [String: (Double, String)]] = [:]
        for row in result.rows {
            let category = row[x] ?? "–"
            if values[category] == nil { categories.append(category); values[category] = [:] }
            let pairs: [(String, String?)] = panel.series.map { column in [(row[position[column]!] ?? "–", row[position[panel.y[0]]!])] }
                ?? (panel.chart == .line ? panel.y.map { ($0, row[position[$0]!]) } : [(panel.y[0], row[position[panel.y[0]]!])])
            for (name, raw) in pairs {
                guard let raw, let value = Double(raw) else { continue }
                if !series.contains(name) { series.append(name) }
                let previous = values[category]![name]
                values[category]![name] = ((previous?.0 ?? 0) + value, previous.map { "\($0.1)+\(raw)" } ?? raw)
            }
        }
        // Long category names are written at a slant, with room below the axis.
        let slanted = categories.contains { shortLabel($0).count > 8 } && categories.count > 4
        let width = 620.0, height = slanted ? 330.0 : 280.0, left = 92.0, right = 12.0, top = 12.0, bottom = slanted ? 94.0 : 44.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let totals = categories.map { category in
            panel.chart == .stackedBar ? (values[category] ?? [:]).values.map(\.0).filter { $0 > 0 }.reduce(0, +)
                : (values[category] ?? [:]).values.map(\.0).max() ?? 0
        }
        let lows = categories.map { (values[$0] ?? [:]).values.map(\.0).min() ?? 0 }
        let maximum = max(totals.max() ?? 0, 0), minimum = min(lows.min() ?? 0, 0)
        let span = maximum - minimum == 0 ? 1 : maximum - minimum
        func yPosition(_ value: Double) -> Double { top + plotHeight - (value - minimum) / span * plotHeight }
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"\(HTML.escape(panel.title))\">\n"
        for step in 0...4 {
            let value = minimum + span * Double(step) / 4
            let y = yPosition(value)
            out += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eaeef2\"/>", left, y, width - right, y)
            out += String(format: "<text x=\"%.1f\" y=\"%.1f\" fill=\"#5b6675\" text-anchor=\"end\">%@</text>\n", left - 6, y + 4,
                          HTML.escape(compact(value, panel.axisFormat)))
        }
        let slot = plotWidth / Double(max(categories.count, 1))
        let labelEvery = max(1, Int((Double(categories.count) / 10).rounded(.up)))
        for (index, category) in categories.enumerated() where index % labelEvery == 0 {
            let cx = left + slot * (Double(index) + 0.5), cy = height - bottom + 16
            out += slanted
                ? String(format: "<text x=\"%.1f\" y=\"%.1f\" fill=\"#5b6675\" text-anchor=\"end\" transform=\"rotate(-35 %.1f %.1f)\">%@</text>",
                         cx, cy, cx, cy, HTML.escape(shortLabel(category)))
                : String(format: "<text x=\"%.1f\" y=\"%.1f\" fill=\"#5b6675\" text-anchor=\"middle\">%@</text>", cx, cy, HTML.escape(shortLabel(category)))
        }
        out += "\n"
        for (seriesIndex, name) in series.enumerated() {
            let colour = Self.palette[seriesIndex % Self.palette.count]
            var points: [(Double, Double, Double, String, String)] = []
            for (index, category) in categories.enumerated() {
                guard let (value, raw) = values[category]?[name] else { continue }
                points.append((left + slot * (Double(index) + 0.5), value, Double(index), raw, category))
            }
            switch panel.chart {
            case .line:
                out += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" points=\"" + points.map { String(format: "%.1f,%.1f", $0.0, yPosition($0.1)) }.joined(separator: " ") + "\"/>\n"
                for point in points {
                    out += String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%@\" data-value=\"%@\"><title>%@</title></circle>", point.0, yPosition(point.1), colour,
                                  HTML.escape(point.3), HTML.escape("\(name), \(dashboard.locale.label(point.4)): \(dashboard.locale.format(point.1, panel.axisFormat))"))
                }
            case .bar, .stackedBar:
                for point in points {
                    let index = Int(point.2)
                    let below = panel.chart == .stackedBar
                        ? series.prefix(seriesIndex).compactMap { values[categories[index]]?[$0]?.0 }.filter { $0 > 0 }.reduce(0, +) : 0
                    let low = point.1 >= 0 ? below : point.1, high = point.1 >= 0 ? below + point.1 : 0
                    let barWidth = slot * 0.7
                    out += String(format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%@\" data-value=\"%@\"><title>%@</title></rect>",
                                  point.0 - barWidth / 2, yPosition(high), barWidth, max(0.5, yPosition(low) - yPosition(high)), colour, HTML.escape(point.3),
                                  HTML.escape("\(name), \(dashboard.locale.label(point.4)): \(dashboard.locale.format(point.1, panel.axisFormat))"))
                }
            default: break
            }
            out += "\n"
        }
        out += "</svg>"
        if series.count > 1 || panel.series != nil {
            out += "<p class=\"legend\">" + series.enumerated().map {
                "<span><i style=\"background:\(Self.palette[$0.offset % Self.palette.count])\"></i>\(HTML.escape($0.element))</span>"
            }.joined() + "</p>"
        }
        return out
    }

    /// An axis label: the locale's number with at most one decimal, in thousands (k) or millions (M).
    private func compact(_ value: Double, _ format: Dashboard.Format) -> String {
        if format == .percent { return dashboard.locale.number(value * 100, digits: 0) + " %" }
        let prefix = format == .currency ? dashboard.locale.currencySymbol + " " : ""
        let magnitude = abs(value)
        if magnitude >= 1_000_000 { return prefix + dashboard.locale.number(value / 1_000_000, digits: 1) + " M" }
        if magnitude >= 10_000 { return prefix + dashboard.locale.number(value / 1_000, digits: 0) + " k" }
        return prefix + dashboard.locale.number(value, digits: magnitude < 10 && value != value.rounded() ? 1 : 0)
    }

    /// A category as the axis shows it: a date's month (`07/2025`, `2025-07`) when it is the first of a month.
    private func shortLabel(_ category: String) -> String {
        if category.count == 10, category.hasSuffix("-01"), category.dropFirst(4).first == "-" {
            return dashboard.locale.dayFirst ? "\(category.dropFirst(5).prefix(2))/\(category.prefix(4))" : String(category.prefix(7))
        }
        let label = dashboard.locale.label(category)
        return label.count > 22 ? String(label.prefix(21)) + "…" : label
    }
}
