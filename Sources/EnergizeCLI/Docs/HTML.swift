import Foundation

/// The one place text becomes HTML: escaping, the page shell every page of the docs site shares,
/// and tables.
enum HTML {
    /// `text` with `&`, `<`, `>`, `"` and `'` escaped, for element content and attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// A whole page: its title, a navigation bar back to the site's pages, and `body`.
    /// - Parameters:
    ///   - title: the page's title (plain text).
    ///   - project: the project's pipeline name, shown in the bar.
    ///   - root: the relative path from the page to the site's root (`""` or `"../"`).
    ///   - body: the page's content, HTML.
    ///   - dashboard: whether the site has a dashboard page to link to.
    ///   - links: more pages to link to from the bar, as (path from the root, text).
    static func page(title: String, project: String, root: String, body: String, dashboard: Bool = false, links: [(String, String)] = []) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title)) · \(escape(project))</title>
        <link rel="stylesheet" href="\(root)assets/style.css">
        </head>
        <body>
        <nav><a class="brand" href="\(root)index.html">\(escape(project))</a>
        <a href="\(root)index.html#lineage">Lineage</a><a href="\(root)index.html#models">Models</a>
        <a href="\(root)index.html#streams">Streams</a><a href="\(root)runs.html">Runs</a>\(dashboard ? "<a href=\"\(root)dashboard.html\">Dashboard</a>" : "")\(links.map { "<a href=\"\(root)\(escape($0.0))\">\(escape($0.1))</a>" }.joined())</nav>
        <main>
        <h1>\(escape(title))</h1>
        \(body)
        </main>
        </body>
        </html>

        """
    }

    /// A table of already-escaped HTML cells.
    /// - Parameters:
    ///   - header: the column titles (plain text).
    ///   - rows: the rows' cells, HTML.
    ///   - numeric: the indexes of columns aligned right.
    static func table(_ header: [String], _ rows: [[String]], numeric: Set<Int> = []) -> String {
        guard !rows.isEmpty else { return "<p class=\"empty\">None.</p>" }
        let head = header.enumerated().map { "<th\($0.offset == 0 || !numeric.contains($0.offset) ? "" : " class=\"num\"")>\(escape($0.element))</th>" }.joined()
        let body = rows.map { row in
            "<tr>" + row.enumerated().map { "<td\(numeric.contains($0.offset) ? " class=\"num\"" : "")>\($0.element)</td>" }.joined() + "</tr>"
        }.joined(separator: "\n")
        return "<table>\n<thead><tr>\(head)</tr></thead>\n<tbody>\n\(body)\n</tbody>\n</table>"
    }

    /// A link to `href` reading `text` (plain text).
    /// A description from the project's YAML: escaped, its `code` spans (between backticks) set
    /// as code, as dbt's docs render Markdown's. An unmatched backtick stays as written.
    static func prose(_ text: String) -> String {
        var parts = text.components(separatedBy: "`")
        var tail = ""
        if parts.count % 2 == 0 { tail = "`" + escape(parts.removeLast()) }
        return parts.enumerated().map { $0.offset % 2 == 1 ? "<code>\(escape($0.element))</code>" : escape($0.element) }.joined() + tail
    }

    static func link(_ href: String, _ text: String) -> String {
        "<a href=\"\(escape(href))\">\(escape(text))</a>"
    }

    /// A status word in its colour (`succeeded`, `failed`, `unchanged`, …).
    static func status(_ status: String) -> String {
        "<span class=\"status \(statusClass(status))\">\(escape(status))</span>"
    }

    /// The CSS class of a status: `ok`, `bad`, `same` or `other`.
    static func statusClass(_ status: String) -> String {
        switch status {
        case "succeeded", "passed": "ok"
        case "failed", "error", "abandoned": "bad"
        case "unchanged", "skipped": "same"
        default: "other"
        }
    }

    /// A whole number with thousands separators (`1,234,567`).
    static func count(_ value: Int) -> String {
        NumberStyle.english.number(Double(value), digits: 0)
    }

    /// Seconds as `0.42 s`, `12.3 s` or `2 min 05 s`.
    static func duration(_ seconds: Double) -> String {
        if seconds < 10 { return String(format: "%.2f s", seconds) }
        if seconds < 120 { return String(format: "%.1f s", seconds) }
        return String(format: "%d min %02d s", Int(seconds) / 60, Int(seconds) % 60)
    }

    /// The site's stylesheet.
    static let stylesheet = """
        :root { --ink: #1d2430; --muted: #5b6675; --line: #d8dee6; --bg: #f6f8fa; --accent: #1f6feb;
          --ok: #1a7f37; --bad: #cf222e; --same: #6e7781; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fff; }
        nav { display: flex; gap: 1.2em; align-items: center; padding: .7em 1.5em; background: var(--ink); }
        nav a { color: #dfe6ee; text-decoration: none; }
        nav a.brand { font-weight: 600; color: #fff; margin-right: 1em; }
        main { padding: 1em 1.5em 3em; max-width: 1400px; }
        h1 { font-size: 1.6em; margin: .4em 0 .6em; }
        h2 { font-size: 1.2em; margin: 1.6em 0 .5em; border-bottom: 1px solid var(--line); padding-bottom: .2em; }
        a { color: var(--accent); }
        table { border-collapse: collapse; margin: .4em 0 1em; }
        th, td { text-align: left; padding: .3em .8em; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { background: var(--bg); font-weight: 600; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        pre { background: var(--bg); border: 1px solid var(--line); padding: .8em; overflow-x: auto; font-size: 13px; }
        code { font-size: 13px; }
        .facts { display: grid; grid-template-columns: max-content auto; gap: .2em 1.2em; }
        .facts dt { color: var(--muted); }
        .facts dd { margin: 0; }
        .status { font-weight: 600; }
        .status.ok { color: var(--ok); } .status.bad { color: var(--bad); } .status.same { color: var(--same); }
        .empty { color: var(--muted); }
        .alert { border: 1px solid var(--bad); background: #ffebe9; padding: .5em .8em; max-width: 60em; }
        .description { max-width: 60em; }
        .chart { overflow-x: auto; border: 1px solid var(--line); background: #fff; }
        svg.lineage { max-width: 100%; height: auto; display: block; }
        svg text { font: 12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
        svg a:hover rect { stroke: var(--accent); stroke-width: 2; }
        .panels { display: grid; grid-template-columns: repeat(auto-fill, minmax(640px, 1fr)); gap: 1.2em; }
        .panel { border: 1px solid var(--line); border-radius: 6px; padding: .2em 1em .8em; }
        .panel h2 { border: none; margin-top: .6em; }
        .panel .chart { border: none; }
        .kpi { padding: .6em 0 1em; } .kpi .value { font-size: 2.4em; font-weight: 600; display: block; }
        .kpi .label { color: var(--muted); }
        .scroll { max-height: 420px; overflow: auto; }
        details summary { color: var(--muted); cursor: pointer; font-size: .9em; }
        .scroll.grid { max-height: none; }
        .grid td { text-align: center; } .grid td:first-child { text-align: left; white-space: nowrap; }
        .cell { display: inline-block; min-width: 6.5em; padding: .15em .4em; border-radius: 4px; font-size: .85em; }
        .cell.ok { background: #dafbe1; } .cell.bad { background: #ffebe9; color: var(--bad); } .cell.same { background: #eaeef2; }
        .cell.other { background: #ddf4ff; } .cell.none { color: var(--muted); }
        .legend span { display: inline-block; margin-right: 1em; }
        .legend i { display: inline-block; width: .9em; height: .9em; margin-right: .3em; vertical-align: -1px; border-radius: 2px; }

        """
}
