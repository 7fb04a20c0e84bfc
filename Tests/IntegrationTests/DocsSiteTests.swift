import EnergizeTech
import Foundation
import PGSink
import Testing

/// `energize docs` on the EnergizeTech project after a run: every model and collection in the
/// lineage graph, every link of the site resolving, the pages showing what the warehouse holds —
/// and the pages rendering in a real browser (headless Chromium).
@Suite(.serialized, .enabled(if: LiveServers.enabled)) struct DocsSiteTests {
    static let pipeline = "it_docs"

    /// A project of the EnergizeTech streams and models, run once on a small seeded dataset.
    func runProject() throws -> TemporaryProject {
        let example = EnergizeTechProject.folder.path
        let project = try TemporaryProject(Self.pipeline, EnergizeTechProject.configuration(
            pipeline: Self.pipeline, database: Self.pipeline,
            transform: "models_dir: \(example)/models, tests_dir: \(example)/tests, analyses_dir: \(example)/analyses"))
        _ = try LiveServers.freshCollections(Self.pipeline, ["customers", "products", "stores", "sales", "transactions"])
        try SourceSeeder(uri: try LiveServers.mongoURI(), database: Self.pipeline).seed(SyntheticData(size: .init(customers: 120, sales: 800), seed: 5))
        let run = try project.energize("run")
        #expect(run.status == 0, "\(run.output)")
        return project
    }

    @Test func theSiteShowsTheProjectAndTheWarehouseAndEveryLinkResolves() throws {
        let project = try runProject()
        let site = project.folder.appendingPathComponent("site")
        let docs = try project.energize("docs", "--output", site.path, "--dashboard", EnergizeTechProject.folder.appendingPathComponent("dashboard.yml").path)
        #expect(docs.status == 0, "\(docs.output)")
        // A format for a column the panel does not show is a configuration mistake, named.
        try project.write("stray.yml", """
            panels: [{title: Regions, chart: table, analysis: regional_analysis, x: region, y: [net_revenue], format: {share: percent}}]
            """)
        let stray = try project.energize("docs", "--output", site.path + "-stray", "--dashboard", project.folder.appendingPathComponent("stray.yml").path)
        #expect(stray.status == 2 && stray.output.contains("panels[0].format.share") && stray.output.contains("not one of the panel's `y` columns"),
                "\(stray.output)")
        let connection = try PGConnection(try LiveServers.pgURI())
        defer { connection.close() }

        let listed = try EnergizeBinary.json(["ls", "--json"], in: project.folder)
        let models = try #require(listed as? [[String: Any]]).compactMap { $0["name"] as? String }
        #expect(models.count == 18)
        let index = try String(contentsOf: site.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(index.contains("Times are in America/Sao_Paulo, the project's time zone"), "the pages do not say their times' zone")
        for model in models {
            #expect(index.contains("data-node=\"model:\(model)\""), "the lineage graph lacks \(model)")
        }
        for collection in ["customers", "products", "stores", "sales", "transactions"] {
            #expect(index.contains("data-node=\"collection:\(collection)\""))
            #expect(index.contains("data-node=\"raw:\(Self.pipeline)_raw.\(collection)\""))
        }
        // An edge for each model input: the fact reads the staging lines and the dimensions.
        #expect(index.contains("data-from=\"model:stg_sale_items\" data-to=\"model:fact_sales\""))
        #expect(index.contains("data-from=\"raw:\(Self.pipeline)_raw.sales\" data-to=\"model:stg_sales\""))

        // Every link and stylesheet of every page names a file of the site (and an anchor it has).
        let pages = try FileManager.default.subpathsOfDirectory(atPath: site.path).filter { $0.hasSuffix(".html") }
        #expect(pages.count == 3 + 18 + 5)
        let reference = try NSRegularExpression(pattern: #"(?:href|src)="([^"]*)""#)
        var checked = 0
        for page in pages {
            let url = site.appendingPathComponent(page)
            let html = try String(contentsOf: url, encoding: .utf8)
            for match in reference.matches(in: html, range: NSRange(html.startIndex..., in: html)) {
                let target = String(html[Range(match.range(at: 1), in: html)!]).replacingOccurrences(of: "&amp;", with: "&")
                #expect(!target.hasPrefix("http"), "\(page) loads \(target) from the network")
                let parts = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                let file = parts[0].isEmpty ? url : url.deletingLastPathComponent().appendingPathComponent(parts[0].removingPercentEncoding ?? parts[0])
                #expect(FileManager.default.fileExists(atPath: file.standardizedFileURL.path), "\(page) links to \(target), which is not in the site")
                if parts.count == 2, let text = try? String(contentsOf: file, encoding: .utf8) {
                    #expect(text.contains("id=\"\(parts[1])\""), "\(page) links to \(target), whose page has no such anchor")
                }
                checked += 1
            }
        }
        #expect(checked > 200)

        // A model's page: its YAML description and column descriptions, the database's types and count, its tests' results.
        let fact = try String(contentsOf: site.appendingPathComponent("models/fact_sales.html"), encoding: .utf8)
        let lines = try #require(try connection.execute("SELECT count(*) FROM it_docs_warehouse.fact_sales").scalar.flatMap { Int($0) })
        #expect(fact.contains("<dt>rows</dt><dd>\(Self.thousands(lines))</dd>"), "\(fact.prefix(3000))")
        #expect(fact.contains("<code>net_amount</code></td><td>numeric"))
        #expect(fact.contains("SQL, as compiled") && fact.contains("it_docs_staging"))
        #expect(fact.contains("<dt>last run</dt><dd><span class=\"status ok\">succeeded</span>"), "\(fact.prefix(3000))")
        // Descriptions' `code` spans are code.
        let stgSales = try String(contentsOf: site.appendingPathComponent("models/stg_sales.html"), encoding: .utf8)
        #expect(stgSales.contains("Sale headers from the raw <code>sales</code> table"), "\(stgSales.prefix(2000))")
        let testRows = try connection.execute("SELECT test, status FROM it_docs_meta.test_results WHERE model = 'fact_sales'").rows
        #expect(!testRows.isEmpty)
        for row in testRows {
            #expect(fact.contains("<td>\(Self.escaped(row[0] ?? ""))</td><td><span class=\"status ok\">\(row[1] ?? "")</span>"), "\(row)")
        }
        // A staging model's inputs: its raw table, linked to the stream that loads it.
        let stgStores = try String(contentsOf: site.appendingPathComponent("models/stg_stores.html"), encoding: .utf8)
        #expect(stgStores.contains("<dt>depends on</dt><dd><a href=\"../streams/stores.html\">\(Self.pipeline)_raw.stores</a></dd>"),
                "\(stgStores.prefix(3000))")
        let dimDate = try String(contentsOf: site.appendingPathComponent("models/dim_date.html"), encoding: .utf8)
        #expect(dimDate.contains("The day as an integer YYYYMMDD; -1 for the unknown member."))

        // A stream's page: its watermark as recorded, its rejects by reason with samples.
        let sales = try String(contentsOf: site.appendingPathComponent("streams/sales.html"), encoding: .utf8)
        let watermark = try #require(try connection.execute("SELECT value FROM it_docs_meta.watermarks WHERE stream = 'sales'").scalar)
        #expect(sales.contains(Self.escaped(watermark)))
        let rejects = try #require(try connection.execute("SELECT count(*) FROM it_docs_raw._rejects WHERE collection = 'sales'").scalar.flatMap { Int($0) })
        #expect(rejects > 0)
        let counted = try NSRegularExpression(pattern: #"<td class="num">([0-9,]+)</td><td><div><code>"#)
        let shown = counted.matches(in: sales, range: NSRange(sales.startIndex..., in: sales)).map {
            Int(String(sales[Range($0.range(at: 1), in: sales)!]).replacingOccurrences(of: ",", with: "")) ?? 0
        }.reduce(0, +)
        #expect(shown == rejects, "the reasons' counts add up to the collection's rejects")

        // The run history: one timeline per run, a bar for each stream and model of it.
        let runs = try String(contentsOf: site.appendingPathComponent("runs.html"), encoding: .utf8)
        let runId = try #require(try connection.execute("SELECT max(run_id) FROM it_docs_meta.runs").scalar)
        #expect(runs.contains("data-run=\"\(runId)\""))
        let bars = runs.components(separatedBy: "<rect class=\"bar ").count - 1
        #expect(bars == 5 + 18)

        // The project alone, without the warehouse.
        let offline = try project.energize("docs", "--offline", "--output", project.folder.appendingPathComponent("offline").path)
        #expect(offline.status == 0, "\(offline.output)")
        let offlineIndex = try String(contentsOf: project.folder.appendingPathComponent("offline/index.html"), encoding: .utf8)
        #expect(offlineIndex.contains("The warehouse was not read") && offlineIndex.contains("data-node=\"model:fact_sales\""))

        try checkDashboard(site, connection)

        try BrowserCheck.pages(site, ["index.html", "models/fact_sales.html", "streams/sales.html", "runs.html", "dashboard.html"], screenshots: "docs")
    }

    /// Every panel of the EnergizeTech dashboard shows what its SQL returns: the SQL is taken from
    /// the page, run here, and its values compared with the `data-value`s the panel drew.
    func checkDashboard(_ site: URL, _ connection: PGConnection) throws {
        let page = try String(contentsOf: site.appendingPathComponent("dashboard.html"), encoding: .utf8)
        let panels = page.components(separatedBy: "<section class=\"panel\"").dropFirst()
        #expect(panels.count == 10)
        let value = try NSRegularExpression(pattern: #"data-value="([^"]*)""#)
        let sqlPattern = try NSRegularExpression(pattern: #"<pre class="panel-sql"><code>(.*?)</code></pre>"#, options: [.dotMatchesLineSeparators])
        let chartPattern = try NSRegularExpression(pattern: #"data-chart="([a-z_]+)""#)
        var charts: Set<String> = []
        for panel in panels {
            let range = NSRange(panel.startIndex..., in: panel)
            let chart = try #require(chartPattern.firstMatch(in: panel, range: range).map { String(panel[Range($0.range(at: 1), in: panel)!]) })
            charts.insert(chart)
            #expect(!panel.contains("not available"), "\(panel.prefix(400))")
            let sql = try #require(sqlPattern.firstMatch(in: panel, range: range).map { String(panel[Range($0.range(at: 1), in: panel)!]) })
                .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&quot;", with: "\"")
                .replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&amp;", with: "&")
            let shown = value.matches(in: panel, range: range).map { String(panel[Range($0.range(at: 1), in: panel)!]).replacingOccurrences(of: "&amp;", with: "&") }
            try connection.execute("BEGIN READ ONLY")
            try connection.execute("SET LOCAL TimeZone = 'America/Sao_Paulo'")
            let result = try connection.execute(sql)
            try connection.execute("ROLLBACK")
            // The panel's y columns (the page names them): every value of them the query returns is drawn or listed, no other.
            let yPattern = try NSRegularExpression(pattern: #"data-y="([^"]*)""#)
            let ys = try #require(yPattern.firstMatch(in: panel, range: range).map { String(panel[Range($0.range(at: 1), in: panel)!]) })
                .split(separator: ",").map(String.init)
            let indexes = try ys.map { y in try #require(result.columns.firstIndex(of: y), "\(y) is not a column of \(result.columns)") }
            let expected = chart == "kpi" ? [result.rows.first?[indexes[0]]].compactMap { $0 } : result.rows.flatMap { row in indexes.compactMap { row[$0] } }
            #expect(!expected.isEmpty)
            #expect(shown.sorted() == expected.sorted(), "\(chart) panel shows \(shown.count) values \(shown.prefix(5)), its query returns \(expected.count) \(expected.prefix(5))")
        }
        #expect(charts == ["kpi", "line", "bar", "stacked_bar", "table"])
        // A table's columns each in their own format: the regional revenue in R$, its share in %.
        let regional = try #require(panels.first { $0.contains("data-y=\"net_revenue,revenue_share,top_chemistry\"") })
        #expect(regional.range(of: #">R\$ [0-9.]+,[0-9]{2}<"#, options: .regularExpression) != nil
                && regional.range(of: #">[0-9]+,[0-9] %<"#, options: .regularExpression) != nil && regional.contains(">(unknown)<"), "\(regional.prefix(1500))")
        // Brazilian formats: R$, thousands with dots, decimals with a comma.
        #expect(page.range(of: #"R\$ [0-9]{1,3}(\.[0-9]{3})+,[0-9]{2}"#, options: .regularExpression) != nil)
        #expect(page.range(of: #"-?[0-9]+,[0-9] %"#, options: .regularExpression) != nil)
    }

    /// The example's analyses, as `energize compile` writes them, run against the warehouse: each
    /// returns rows, and the columns its `-- columns:` line documents.
    @Test func theAnalysesCompileAndReturnTheirDocumentedColumns() throws {
        let project = try runProject()
        let compiled = project.folder.appendingPathComponent("compiled")
        let compile = try project.energize("compile", "--output", compiled.path)
        #expect(compile.status == 0 && compile.output.contains("and 5 analyses"), "\(compile.output)")
        let connection = try PGConnection(try LiveServers.pgURI())
        defer { connection.close() }
        let names = ["customer_behavior", "market_trends", "regional_analysis", "sales_performance", "stock_distribution"]
        for name in names {
            let text = try String(contentsOf: compiled.appendingPathComponent("analyses/\(name).sql"), encoding: .utf8)
            #expect(text.contains("\"it_docs_warehouse\"."), "\(name) reads the project's warehouse: \(text)")
            let documented = try #require(text.split(separator: "\n").first { $0.hasPrefix("-- columns:") })
                .dropFirst("-- columns:".count).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            let result = try connection.execute(text)
            #expect(result.columns == documented, "\(name) returns \(result.columns), documents \(documented)")
            #expect(!result.rows.isEmpty, "\(name) returned no rows")
        }
        // The stock split: next month's shares of each chemistry's forecast add up to 1.
        let shares = try connection.execute("""
            SELECT chemistry, sum(share_of_forecast) FROM (\(try String(contentsOf: compiled.appendingPathComponent("analyses/stock_distribution.sql"), encoding: .utf8))) s
            GROUP BY chemistry HAVING sum(forecast_units) > 0
            """).rows
        #expect(!shares.isEmpty)
        for row in shares { #expect(abs((Double(row[1] ?? "") ?? 0) - 1) < 0.001, "\(row)") }
        // The demand mart's own tests ran and passed in the run.
        let tests = try connection.execute("""
            SELECT test, status FROM it_docs_meta.test_results WHERE model = 'mart_regional_demand' ORDER BY test
            """).rows
        #expect(tests.count == 6, "\(tests)")
        #expect(tests.allSatisfy { $0[1] == "passed" }, "\(tests)")
    }

    /// `energize serve`: the pages, the grid, the tests and /health from the live warehouse,
    /// read-only, on localhost; a failed run turns /health to 503; the pages render in Chromium.
    @Test func theServedSiteIsLiveReadOnlyAndTellsAMonitorTheHealth() throws {
        let project = try runProject()
        let port = try LocalMongoServer.freePort()
        let server = try EnergizeBinary.start(["serve", "--port", String(port), "--refresh", "0",
                                               "--dashboard", EnergizeTechProject.folder.appendingPathComponent("dashboard.yml").path], in: project.folder)
        let base = "http://127.0.0.1:\(port)"
        var up = false
        for _ in 0..<150 where !up {
            up = (try? Self.get(base + "/health"))?.status == 200
            if !up { Thread.sleep(forTimeInterval: 0.2) }
        }
        #expect(up, "energize serve did not answer on \(base)")
        let health = try Self.get(base + "/health")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(health.body.utf8)) as? [String: Any])
        #expect(json["status"] as? String == "ok" && json["pipeline"] as? String == Self.pipeline, "\(health.body)")
        #expect((json["streams"] as? [[String: Any]])?.count == 5)
        #expect((json["streams"] as? [[String: Any]])?.allSatisfy { ($0["freshness_seconds"] as? Double).map { $0 >= 0 } == true } == true, "\(health.body)")
        #expect((json["last_run"] as? [String: Any])?["status"] as? String == "succeeded")

        let grid = try Self.get(base + "/grid.html")
        #expect(grid.status == 200 && grid.body.contains("run 1") && grid.body.contains(">fact_sales</a>"), "\(grid.body.prefix(500))")
        #expect(grid.body.contains("Times are in America/Sao_Paulo, the project's time zone") && !grid.body.contains("`"), "\(grid.body.prefix(800))")
        let tests = try Self.get(base + "/tests.html")
        let total = try #require(json["data_tests"] as? Int)
        #expect(tests.status == 200 && tests.body.contains("\(total) data tests, 0 failing"), "\(tests.body.prefix(800))")
        #expect(try Self.get(base + "/").body.contains("data-node=\"model:fact_sales\""))
        #expect(try Self.get(base + "/dashboard.html").body.contains("data-chart=\"stacked_bar\""))
        #expect(try Self.get(base + "/models/fact_sales.html").status == 200)
        #expect(try Self.get(base + "/no-such-page.html").status == 404)
        // Read-only: nothing but GET and HEAD.
        for method in ["POST", "PUT", "DELETE"] {
            #expect(try Self.get(base + "/health", method: method).status == 405)
        }
        // Live: a failed run shows in the grid and turns /health to 503 at once (refresh 0).
        let failed = try project.energize("run", "--skip-transform", "--retries", "0", "--mongo-uri", "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=500")
        #expect(failed.status == 1, "\(failed.output)")
        let after = try Self.get(base + "/health")
        #expect(after.status == 503 && after.body.contains("\"status\" : \"failing\""), "\(after.body)")
        #expect(try Self.get(base + "/grid.html").body.contains("run 2"))

        try BrowserCheck.pages(URL(string: base)!, ["index.html", "grid.html", "tests.html", "dashboard.html"], screenshots: "serve")
        server.process.terminate()
        let stopped = server.wait()
        #expect(stopped.status == 6, "serve stops on SIGTERM with status 6: \(stopped.output)")
        #expect(stopped.output.contains("serving \(Self.pipeline) on http://127.0.0.1:\(port)/"), "\(stopped.output)")
        // Quiet: no line per request, no error for a stop it was asked for.
        #expect(!stopped.output.contains("FlyingFox") && !stopped.output.contains("error"), "\(stopped.output)")
    }

    /// An HTTP request with curl: the status code and the body.
    static func get(_ url: String, method: String = "GET") throws -> (status: Int, body: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-s", "-X", method, "-o", "-", "-w", "\n%{http_code}", "--max-time", "30", url]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let status = Int(text.split(separator: "\n").last ?? "") ?? 0
        return (status, String(text.dropLast(String(status).count + 1)))
    }

    static func thousands(_ value: Int) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.locale = Locale(identifier: "en_US")
        return formatter.string(from: NSNumber(value: value)) ?? String(value)
    }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&#39;")
    }
}
