import Foundation

/// A dashboard declared in a project's `dashboard.yml`, rendered into the docs site
/// (`dashboard.html`) with the warehouse's numbers.
///
/// ```yaml
/// title: Sales and stock
/// locale: pt-BR          # 1.234,56 and R$ (en-US: 1,234.56 and $); dates in the project's time zone
/// currency: BRL
/// panels:
///   - title: Net revenue by month and region
///     chart: stacked_bar  # line, bar, stacked_bar, table or kpi
///     sql: SELECT month, region, sum(net_revenue) AS net_revenue FROM {{ ref('agg') }} GROUP BY 1, 2
///     x: month
///     y: net_revenue      # or a list (line and table)
///     series: region      # splits bars or lines by a column
///     format: currency    # number, integer, currency, percent
///   - {title: Trends, chart: table, model: mart_market_trends}
///   - {title: Regions, chart: table, analysis: regional_analysis, x: region, y: [net_revenue, revenue_share],
///      format: {net_revenue: currency, revenue_share: percent}}   # a format per `y` column
/// ```
/// A panel reads `sql:` (compiled with `ref` and `var` as in analyses), `model:` (all its rows)
/// or `analysis:` (one of the project's analyses).
struct Dashboard {
    enum Chart: String, CaseIterable {
        case line, bar, stackedBar = "stacked_bar", table, kpi
    }

    enum Format: String, CaseIterable {
        case number, integer, currency, percent
    }

    struct Panel {
        var title: String
        var description: String?
        var chart: Chart
        /// The compiled `SELECT`.
        var sql: String
        var x: String?
        var y: [String]
        var series: String?
        /// How the `y` values are written, unless `columnFormats` names the column.
        var format: Format
        /// A `y` column's own format, where `format:` named it.
        var columnFormats: [String: Format] = [:]

        /// How `column`'s values are written.
        /// - Parameter column: a `y` column.
        func format(of column: String) -> Format { columnFormats[column] ?? format }

        /// How a chart's axis, a KPI and their hover titles write values: the first `y` column's format.
        var axisFormat: Format { format(of: y.first ?? "") }
    }

    var title: String
    var locale: NumberStyle
    var panels: [Panel]

    /// Reads `file` (YAML) against the project's models and analyses.
    static func read(_ file: String, project: ProjectModels, timeZone: String) throws -> Dashboard {
        let fields = YAMLFields(file: file)
        guard let root = try fields.load(try YAMLFields.read(file, as: file)) else {
            throw ConfigError(file: file, path: "", problem: "the file is empty; expected title, locale, currency and panels")
        }
        let top = try fields.mapping(root, "", keys: ["title", "locale", "currency", "panels"])
        let localeName = try top["locale"].map { try fields.string($0, "locale") } ?? "en-US"
        let currency = try top["currency"].map { try fields.string($0, "currency") } ?? (localeName == "pt-BR" ? "BRL" : "USD")
        guard let locale = NumberStyle(locale: localeName, currency: currency) else {
            throw ConfigError(file: file, path: "locale", problem: "expected pt-BR or en-US; got `\(localeName)`")
        }
        var panels: [Panel] = []
        for (index, item) in try fields.list(top["panels"] ?? [Any](), "panels").enumerated() {
            let path = "panels[\(index)]"
            let entry = try fields.mapping(item, path, keys: ["title", "description", "chart", "sql", "model", "analysis", "x", "y", "series", "format"])
            guard let titleValue = entry["title"] else { throw ConfigError(file: file, path: path, problem: "missing `title`") }
            let chartName = try entry["chart"].map { try fields.string($0, path + ".chart") } ?? "table"
            guard let chart = Chart(rawValue: chartName) else {
                throw ConfigError(file: file, path: path + ".chart", problem: "expected \(Chart.allCases.map(\.rawValue).joined(separator: ", ")); got `\(chartName)`")
            }
            func format(_ value: Any, _ path: String) throws -> Format {
                let name = try fields.string(value, path)
                guard let format = Format(rawValue: name) else {
                    throw ConfigError(file: file, path: path, problem: "expected \(Format.allCases.map(\.rawValue).joined(separator: ", ")); got `\(name)`")
                }
                return format
            }
            // One format for every `y` column, or one per column (`{net_revenue: currency, share: percent}`).
            var columnFormats: [String: Format] = [:]
            if let perColumn = entry["format"] as? [String: Any] {
                for (column, value) in perColumn { columnFormats[column] = try format(value, path + ".format." + column) }
            }
            let single = try entry["format"].flatMap { $0 is [String: Any] ? nil : try format($0, path + ".format") } ?? .number
            let sources = ["sql", "model", "analysis"].filter { entry[$0] != nil }
            guard sources.count == 1 else {
                throw ConfigError(file: file, path: path, problem: "a panel reads one of `sql`, `model` or `analysis`; it has \(sources.isEmpty ? "none" : sources.joined(separator: " and "))")
            }
            let sql: String
            if let text = entry["sql"] {
                sql = try project.compileQuery(name: "\(path).sql", sql: try fields.string(text, path + ".sql"), path: file).sql
            } else if let model = entry["model"] {
                let name = try fields.string(model, path + ".model")
                guard let transform = project.graph.models[name] else {
                    throw ConfigError(file: file, path: path + ".model", problem: "no model named `\(name)`")
                }
                sql = "SELECT * FROM \(transform.relation)"
            } else {
                let name = try fields.string(entry["analysis"]!, path + ".analysis")
                guard let analysis = project.analyses.first(where: { $0.name == name }) else {
                    throw ConfigError(file: file, path: path + ".analysis", problem: "no analysis named `\(name)`; analyses: \(project.analyses.map(\.name).joined(separator: ", "))")
                }
                sql = analysis.sql
            }
            let y = try entry["y"].map { value in
                value is [Any] ? try fields.strings(value, path + ".y") : [try fields.string(value, path + ".y")]
            } ?? []
            if chart != .table, y.isEmpty { throw ConfigError(file: file, path: path + ".y", problem: "a \(chart.rawValue) panel needs `y`, the column it shows") }
            if let stray = columnFormats.keys.sorted().first(where: { !y.contains($0) }) {
                throw ConfigError(file: file, path: path + ".format." + stray, problem: "`\(stray)` is not one of the panel's `y` columns (\(y.joined(separator: ", ")))")
            }
            if [.line, .bar, .stackedBar].contains(chart), entry["x"] == nil {
                throw ConfigError(file: file, path: path + ".x", problem: "a \(chart.rawValue) panel needs `x`, the column along its axis")
            }
            panels.append(Panel(title: try fields.string(titleValue, path + ".title"),
                                description: try entry["description"].map { try fields.string($0, path + ".description") },
                                chart: chart, sql: sql, x: try entry["x"].map { try fields.string($0, path + ".x") }, y: y,
                                series: try entry["series"].map { try fields.string($0, path + ".series") },
                                format: single, columnFormats: columnFormats))
        }
        return Dashboard(title: try top["title"].map { try fields.string($0, "title") } ?? "Dashboard", locale: locale, panels: panels)
    }
}

/// How numbers are written: decimal and thousands separators, and the currency's symbol.
struct NumberStyle {
    var decimal: String
    var grouping: String
    var currencySymbol: String
    /// Dates as `dd/MM/yyyy` (pt-BR) or `yyyy-MM-dd`.
    var dayFirst: Bool

    /// `1,234.56` and `$`: the docs site's own figures.
    static let english = NumberStyle(locale: "en-US", currency: "USD")!

    init?(locale: String, currency: String) {
        switch locale {
        case "pt-BR": (decimal, grouping, dayFirst) = (",", ".", true)
        case "en-US": (decimal, grouping, dayFirst) = (".", ",", false)
        default: return nil
        }
        currencySymbol = ["BRL": "R$", "USD": "$", "EUR": "€"][currency] ?? currency
    }

    /// `value` in `format`: `R$ 1.234,56`, `12,3 %`, `1.235`, `1.234,56`.
    func format(_ value: Double, _ format: Dashboard.Format) -> String {
        switch format {
        case .currency: return "\(currencySymbol) " + number(value, digits: 2)
        case .percent: return number(value * 100, digits: 1) + " %"
        case .integer: return number(value.rounded(), digits: 0)
        case .number: return number(value, digits: value == value.rounded() && abs(value) < 1e15 ? 0 : 2)
        }
    }

    /// A number with `digits` decimals and thousands separators.
    func number(_ value: Double, digits: Int) -> String {
        let text = String(format: "%.\(digits)f", abs(value))
        let parts = text.split(separator: ".", maxSplits: 1).map(String.init)
        var whole = ""
        for (index, digit) in parts[0].enumerated() {
            if index > 0, (parts[0].count - index) % 3 == 0 { whole += grouping }
            whole.append(digit)
        }
        let sign = value < 0 && text.contains(where: { $0 != "0" && $0 != "." }) ? "-" : ""
        return sign + whole + (parts.count > 1 ? decimal + parts[1] : "")
    }

    /// A date (`yyyy-MM-dd…` text from PostgreSQL) as the locale writes it; other text as it is.
    func label(_ text: String) -> String {
        guard dayFirst, text.count >= 10, text.dropFirst(4).first == "-", text.dropFirst(7).first == "-" else { return text }
        let year = text.prefix(4), month = text.dropFirst(5).prefix(2), day = text.dropFirst(8).prefix(2)
        return "\(day)/\(month)/\(year)" + (text.count > 10 ? String(text.dropFirst(10)) : "")
    }
}
