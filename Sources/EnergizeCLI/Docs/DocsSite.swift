import Foundation

/// Writes the docs site of a catalog into one folder: `index.html` (lineage graph, models,
/// streams), `models/<model>.html`, `streams/<stream>.html`, `runs.html` (timelines) and
/// `assets/style.css`. Every page is static HTML with inline SVG: nothing is loaded from the
/// network and the folder works from `file://`.
struct DocsSite {
    let catalog: DocsCatalog
    /// The project's dashboard with its panels' rows, when it declares one.
    var dashboard: DashboardPage? = nil
    /// More pages the bar links to (the served site's runs grid and tests), as (path, text).
    var links: [(String, String)] = []

    /// The site's pages by path relative to its root, with their HTML.
    func pages() -> [(path: String, html: String)] {
        var pages = [(path: "index.html", html: index()), (path: "runs.html", html: runs())]
        pages += catalog.models.map { (path: Self.modelPath($0.name), html: modelPage($0)) }
        pages += catalog.streams.map { (path: Self.streamPath($0.name), html: streamPage($0)) }
        if let dashboard { pages.append((path: "dashboard.html", html: dashboard.html())) }
        return pages
    }

    /// Writes every page and the stylesheet under `folder` (created when missing); returns the paths written.
    @discardableResult
    func write(to folder: String) throws -> [String] {
        let root = URL(fileURLWithPath: folder)
        var written: [String] = []
        for (path, html) in pages() + [(path: "assets/style.css", html: HTML.stylesheet)] {
            let file = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(html.utf8).write(to: file, options: .atomic)
            written.append(file.path)
        }
        return written
    }

    /// The page of a model, relative to the site's root.
    static func modelPath(_ name: String) -> String { "models/\(fileName(name)).html" }
    /// The page of a stream, relative to the site's root.
    static func streamPath(_ name: String) -> String { "streams/\(fileName(name)).html" }

    /// A name as a file name: letters, digits, `_`, `-` and `.` kept, every other byte as `%XX`.
    static func fileName(_ name: String) -> String {
        var out = ""
        for byte in name.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "_"), UInt8(ascii: "-"):
                out.append(Character(UnicodeScalar(byte)))
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    /// The lineage graph: each stream's collection and raw table, then every model.
    func lineage() -> LineageGraph {
        var graph = LineageGraph()
        for stream in catalog.streams {
            graph.add(.init(id: "collection:\(stream.collection)", label: stream.collection, kind: .collection, href: Self.streamPath(stream.name)))
            graph.add(.init(id: "raw:\(stream.table)", label: stream.table, kind: .raw, href: Self.streamPath(stream.name)))
            graph.connect("collection:\(stream.collection)", "raw:\(stream.table)")
        }
        for model in catalog.models {
            graph.add(.init(id: "model:\(model.name)", label: model.name, kind: .init(materialization: model.materialization), href: Self.modelPath(model.name)))
        }
        for model in catalog.models {
            for source in model.sources {
                // A raw table no stream loads (read with raw()) still shows, linked to the index.
                if !graph.nodes.contains(where: { $0.id == "raw:\(source)" }) {
                    graph.add(.init(id: "raw:\(source)", label: source, kind: .raw, href: "index.html#streams"))
                }
                graph.connect("raw:\(source)", "model:\(model.name)")
            }
            for dependency in model.dependencies where catalog.models.contains(where: { $0.name == dependency }) {
                graph.connect("model:\(dependency)", "model:\(model.name)")
            }
        }
        return graph
    }

    /// Which zone the pages' times are in.
    private var timesNote: String {
        Self.zoneNote(catalog.timeZone) + "; watermarks are the source's cursor values (dates in UTC)."
    }

    /// The sentence every page with times starts its note with (escaped HTML).
    /// - Parameter zone: the project's time zone.
    static func zoneNote(_ zone: String) -> String {
        "Times are in \(HTML.escape(zone)), the project's time zone"
    }

    private func index() -> String {
        let graph = lineage()
        var body = "<p>Generated \(HTML.escape(catalog.generatedAt)). \(catalog.streams.count) streams, \(catalog.models.count) models, "
            + "\(catalog.models.map(\.tests.count).reduce(0, +)) data tests. \(timesNote)</p>"
        if let note = catalog.warehouseNote { body += "<p class=\"empty\">\(HTML.escape(note))</p>" }
        // The last finished run, when it did not succeed, is said first: what a reader of the
        // warehouse needs to know before trusting its numbers.
        if let last = catalog.runs.first(where: { $0.status != "running" }), last.status != "succeeded" {
            body += "<p class=\"alert\">\(HTML.status(last.status)) <a href=\"runs.html\">run \(last.runId)</a> (\(HTML.escape(last.startedAt)))"
                + "\(last.error.map { ": " + HTML.escape(String($0.prefix(300))) } ?? "")</p>"
        }
        body += "<h2 id=\"lineage\">Lineage</h2>\(graph.legend)<div class=\"chart\">\(graph.svg(root: ""))</div>"
        body += "<h2 id=\"models\">Models</h2>" + HTML.table(["model", "materialization", "rows", "last run", "tests", "description"], catalog.models.map { model in
            let build = model.builds.first
            let failing = model.tests.filter { $0.status == "failed" }.count
            return [HTML.link(Self.modelPath(model.name), model.name), HTML.escape(model.materialization),
                    model.rows.map(HTML.count) ?? "", build.map { "\(HTML.status($0.status)) \(HTML.escape($0.finishedAt))" } ?? "",
                    "\(model.tests.count)\(failing > 0 ? " (<span class=\"status bad\">\(failing) failing</span>)" : "")",
                    HTML.prose(firstSentence(model.description))]
        }, numeric: [2, 4])
        body += "<h2 id=\"streams\">Streams</h2>" + HTML.table(["stream", "collection", "table", "strategy", "last load", "rejects"], catalog.streams.map { stream in
            let last = stream.runs.first
            return [HTML.link(Self.streamPath(stream.name), stream.name), HTML.escape(stream.collection), HTML.escape(stream.table),
                    HTML.escape(stream.strategy), last.map { "\(HTML.status($0.status)) \(HTML.escape($0.finishedAt))" } ?? "",
                    HTML.count(stream.rejects.map(\.count).reduce(0, +))]
        }, numeric: [5])
        return HTML.page(title: "\(catalog.pipeline): lineage and models", project: catalog.pipeline, root: "", body: body, dashboard: dashboard != nil, links: links)
    }

    private func modelPage(_ model: DocsCatalog.Model) -> String {
        let root = "../"
        var body = "<p class=\"description\">\(HTML.prose(model.description ?? "No description in the project's YAML."))</p>"
        let build = model.builds.first
        body += "<dl class=\"facts\"><dt>relation</dt><dd><code>\(HTML.escape(model.schema)).\(HTML.escape(model.name))</code></dd>"
            + "<dt>materialization</dt><dd>\(HTML.escape(model.materialization))</dd>"
            + "<dt>rows</dt><dd>\(model.rows.map(HTML.count) ?? (model.materialization == "view" ? "a view" : "not built"))</dd>"
            + "<dt>last run</dt><dd>\(build.map { "\(HTML.status($0.status)) \(HTML.escape($0.finishedAt)), run \($0.runId)\($0.durationSeconds.map { ", " + HTML.duration($0) } ?? "")" } ?? "none recorded")"
            // Left unchanged since: the run that last built it.
            + "\(build?.status == "unchanged" ? model.builds.first { $0.status == "succeeded" }.map { "; built in run \($0.runId)" } ?? "" : "")</dd>"
            + "<dt>depends on</dt><dd>\(inputs(of: model))</dd>"
            + "<dt>used by</dt><dd>\(links(model.usedBy, models: true))</dd></dl>"
        body += "<h2>Columns</h2>" + HTML.table(["column", "type", "description"], model.columns.map {
            ["<code>\(HTML.escape($0.name))</code>", HTML.escape($0.type ?? ""), HTML.prose($0.description ?? "")]
        })
        body += "<h2>Data tests</h2>" + HTML.table(["test", "last result", "failing rows", "run", "sample"], model.tests.map {
            [HTML.escape($0.name), $0.status.map(HTML.status) ?? "not run", $0.failures.map(HTML.count) ?? "", $0.runId.map { String($0) } ?? "",
             $0.sample.map { "<code>\(HTML.escape(String($0.prefix(200))))</code>" } ?? ""]
        }, numeric: [2, 3])
        body += "<h2>Builds</h2>" + HTML.table(["run", "status", "finished", "duration", "rows", "error"], model.builds.map {
            [String($0.runId), HTML.status($0.status), HTML.escape($0.finishedAt), $0.durationSeconds.map(HTML.duration) ?? "",
             $0.rows.map(HTML.count) ?? "", HTML.escape($0.error ?? "")]
        }, numeric: [0, 3, 4])
        body += "<h2>SQL, as compiled</h2>" + (model.sql.map { "<pre><code>\(HTML.escape($0))</code></pre>" } ?? "<p class=\"empty\">Built in Swift: no SQL file.</p>")
        return HTML.page(title: model.name, project: catalog.pipeline, root: root, body: body, dashboard: dashboard != nil, links: links)
    }

    private func streamPage(_ stream: DocsCatalog.Stream) -> String {
        var body = "<dl class=\"facts\"><dt>collection</dt><dd><code>\(HTML.escape(stream.collection))</code></dd>"
            + "<dt>raw table</dt><dd><code>\(HTML.escape(stream.table))</code></dd>"
            + "<dt>strategy</dt><dd>\(HTML.escape(stream.strategy))</dd>"
            + "<dt>key</dt><dd>\(HTML.escape(stream.key ?? "none"))</dd><dt>cursor</dt><dd>\(HTML.escape(stream.cursor ?? "none"))</dd>"
            + "<dt>contract</dt><dd>\(stream.contractFields == 0 ? "none" : "\(stream.contractFields) fields")</dd>"
            + "<dt>last watermark</dt><dd>\(HTML.escape(stream.watermark ?? "none"))\(stream.watermarkUpdatedAt.map { " (recorded \(HTML.escape($0)), \(HTML.escape(catalog.timeZone)))" } ?? "")</dd>"
            + "<dt>freshness</dt><dd>\(stream.freshnessSeconds.map { "last loaded \(HTML.duration($0)) before this page was generated (\(HTML.escape(stream.lastSuccess ?? "")), \(HTML.escape(catalog.timeZone)))" } ?? "never loaded")</dd></dl>"
        let readers = catalog.models.filter { $0.sources.contains(stream.table) }.map(\.name)
        body += "<p>Read by: \(links(readers, models: true))</p>"
        let ordered = stream.runs.reversed()
        body += "<h2>Rows per run</h2>" + (ordered.isEmpty ? "<p class=\"empty\">No runs yet.</p>"
            : "<div class=\"chart\">\(Charts.bars(ordered.map { (label: String($0.runId), value: $0.rowsLoaded, status: $0.status) }, unit: "rows loaded"))</div>")
        body += HTML.table(["run", "status", "finished", "duration", "read", "loaded", "rejected", "error"], stream.runs.prefix(10).map {
            [String($0.runId), HTML.status($0.status), HTML.escape($0.finishedAt), $0.durationSeconds.map(HTML.duration) ?? "",
             HTML.count($0.rowsRead), HTML.count($0.rowsLoaded), HTML.count($0.rowsRejected), HTML.escape($0.error ?? "")]
        }, numeric: [0, 3, 4, 5, 6])
        body += "<h2>Rejects by reason</h2>"
        if stream.rejects.isEmpty {
            body += "<p class=\"empty\">No current rejects.</p>"
        } else {
            body += "<p>Reasons with numbers and quoted values set aside (…); up to three samples each. All of them: <code>\(HTML.escape(catalog.rawSchema))._rejects</code>.</p>"
            body += HTML.table(["reason", "documents", "samples"], stream.rejects.map { group in
                [HTML.escape(group.pattern), HTML.count(group.count),
                 group.samples.map { "<div><code>\(HTML.escape($0.id))</code>: \(HTML.escape($0.reason))<br><code>\(HTML.escape($0.document))</code></div>" }.joined()]
            }, numeric: [1])
        }
        return HTML.page(title: "stream \(stream.name)", project: catalog.pipeline, root: "../", body: body, dashboard: dashboard != nil, links: links)
    }

    private func runs() -> String {
        let shown = catalog.runs.count == 1 ? "The last run" : "The last \(catalog.runs.count) runs, newest first"
        var body = "<p>\(shown): each stream's load and each model's build as a bar from its start to its end (▸ marks streams; red: failed, grey: left unchanged). \(timesNote)</p>"
        if catalog.runs.isEmpty { body += "<p class=\"empty\">No runs recorded.</p>" }
        for run in catalog.runs {
            body += "<h2 id=\"run-\(run.runId)\">Run \(run.runId) · \(HTML.status(run.status)) · \(HTML.escape(run.startedAt))\(run.durationSeconds.map { " · " + HTML.duration($0) } ?? "")</h2>"
            if let error = run.error { body += "<p><span class=\"status bad\">error</span> \(HTML.escape(error))</p>" }
            body += run.bars.isEmpty ? "<p class=\"empty\">Nothing recorded for this run.</p>" : "<div class=\"chart\">\(Charts.timeline(run))</div>"
        }
        return HTML.page(title: "Runs", project: catalog.pipeline, root: "", body: body, dashboard: dashboard != nil, links: links)
    }

    /// A model's inputs, each linked: the models it reads, then its raw tables (to their stream's
    /// page, when a stream loads them), or "nothing".
    private func inputs(of model: DocsCatalog.Model) -> String {
        let models = model.dependencies.map { HTML.link("../" + Self.modelPath($0), $0) }
        let raw = model.sources.map { source in
            catalog.streams.first { $0.table == source }.map { HTML.link("../" + Self.streamPath($0.name), source) }
                ?? "<code>\(HTML.escape(source))</code>"
        }
        return models.isEmpty && raw.isEmpty ? "nothing" : (models + raw).joined(separator: ", ")
    }

    private func links(_ names: [String], models: Bool) -> String {
        names.isEmpty ? "nothing" : names.map { HTML.link("../" + Self.modelPath($0), $0) }.joined(separator: ", ")
    }

    private func firstSentence(_ text: String?) -> String {
        guard let text else { return "" }
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        if let end = flat.range(of: ". ") { return String(flat[..<end.lowerBound]) + "." }
        return flat
    }
}
