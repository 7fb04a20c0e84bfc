import Foundation

/// The pages `energize serve` adds to the docs site: the runs grid (runs × streams and models,
/// status colours, durations) and the latest data-test results.
enum ServedPages {
    /// Runs as columns (newest first), streams and models as rows; each cell the status and duration.
    static func grid(_ catalog: DocsCatalog, links: [(String, String)], dashboard: Bool) -> String {
        var names: [(kind: String, name: String)] = catalog.streams.map { ("stream", $0.name) }
        names += catalog.models.map { ("model", $0.name) }
        let header = ["", ] + catalog.runs.map { "run \($0.runId)" }
        var rows: [[String]] = [["<strong>run</strong>"] + catalog.runs.map { run in
            "\(HTML.status(run.status))<br><small>\(HTML.escape(run.startedAt))\(run.durationSeconds.map { "<br>" + HTML.duration($0) } ?? "")</small>"
        }]
        for entry in names {
            let page = entry.kind == "stream" ? DocsSite.streamPath(entry.name) : DocsSite.modelPath(entry.name)
            rows.append(["\(entry.kind == "stream" ? "▸ " : "")\(HTML.link(page, entry.name))"] + catalog.runs.map { run in
                guard let bar = run.bars.first(where: { $0.kind == entry.kind && $0.name == entry.name }) else { return "<span class=\"cell none\">–</span>" }
                return "<span class=\"cell \(HTML.statusClass(bar.status))\" title=\"\(HTML.escape("\(entry.name) in run \(run.runId): \(bar.status)"))\">\(HTML.escape(bar.status))<br><small>\(HTML.duration(max(0, bar.end - bar.start)))</small></span>"
            })
        }
        let errors = catalog.runs.compactMap { run in run.error.map { "<li>run \(run.runId): \(HTML.escape($0))</li>" } }
        let body = "<p>The last \(catalog.runs.count) runs, newest first. \(DocsSite.zoneNote(catalog.timeZone)). "
            + "The page is built again from the warehouse when requested (see <code>energize serve --refresh</code>).</p>"
            + "<div class=\"scroll grid\">" + HTML.table(header, rows) + "</div>"
            + (errors.isEmpty ? "" : "<h2>Errors</h2><ul>\(errors.joined())</ul>")
        return HTML.page(title: "Runs grid", project: catalog.pipeline, root: "", body: body, dashboard: dashboard, links: links)
    }

    /// Every data test with its latest result.
    static func tests(_ catalog: DocsCatalog, links: [(String, String)], dashboard: Bool) -> String {
        let tests = catalog.models.flatMap { model in model.tests.map { (model: model.name, test: $0) } }
        let failing = tests.filter { $0.test.status == "failed" }.count
        let body = "<p>\(tests.count) data tests, \(failing) failing in their latest run.</p>" + HTML.table(["test", "model", "last result", "failing rows", "run", "sample"], tests.map { entry in
            [HTML.escape(entry.test.name), HTML.link(DocsSite.modelPath(entry.model), entry.model), entry.test.status.map(HTML.status) ?? "not run",
             entry.test.failures.map(HTML.count) ?? "", entry.test.runId.map { String($0) } ?? "",
             entry.test.sample.map { "<code>\(HTML.escape(String($0.prefix(200))))</code>" } ?? ""]
        }, numeric: [3, 4])
        return HTML.page(title: "Data tests", project: catalog.pipeline, root: "", body: body, dashboard: dashboard, links: links)
    }
}
