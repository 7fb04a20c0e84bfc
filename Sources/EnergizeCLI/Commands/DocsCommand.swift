import ArgumentParser
import EnergizeCore
import Foundation
import PGSink

/// `energize docs`: writes the project's docs site (lineage graph, a page per model and per
/// stream, run timelines) into one self-contained folder.
struct DocsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "docs",
        abstract: "Write the docs site: lineage graph, a page per model and per stream, run history as timelines.",
        discussion: """
            The site is static HTML with inline SVG in one folder (open index.html, from file:// too): \
            nothing is loaded from the network. Descriptions come from the project's YAML; column types, \
            row counts, last builds, data-test results, watermarks, rejects and runs from the warehouse \
            (--offline documents the files alone).
            """ + " " + ExitStatus.help)

    @OptionGroup var options: ConfigOptions

    @Option(help: "The folder to write (default: target/docs in the project).")
    var output: String?

    @Option(help: "How many runs the run history shows.")
    var runs = 15

    @Flag(help: "Do not connect to PostgreSQL: the project's files alone.")
    var offline = false

    @Option(help: "The dashboard to render (default: dashboard.yml in the project, when it exists).")
    var dashboard: String?

    func run() throws {
        let config = try options.load()
        let connection = offline ? nil : try PGConnection(try config.requirePG(), applicationName: "energize \(config.pipeline) docs")
        defer { connection?.close() }
        let project = try ProjectModels(config: config, rawColumns: try connection.map { try ProjectModels.rawColumns($0, schema: config.rawSchema) })
        let catalog = try DocsCatalog.read(config: config, project: project, connection: connection, runs: max(0, runs))
        let folder = output ?? config.path("target/docs")
        var site = DocsSite(catalog: catalog)
        let dashboardFile = dashboard.map { config.path($0) } ?? config.path("dashboard.yml")
        var failedPanels: [String] = []
        if dashboard != nil || FileManager.default.fileExists(atPath: dashboardFile) {
            let declared = try Dashboard.read(dashboardFile, project: project, timeZone: config.timeZone)
            let results = declared.panels.map { panel in
                Self.rows(of: panel, on: connection, timeZone: config.timeZone)
            }
            for (panel, result) in zip(declared.panels, results) where result.error != nil && !offline {
                failedPanels.append(panel.title)
                print("warning: dashboard panel \"\(panel.title)\": \(result.error!)")
            }
            site.dashboard = DashboardPage(dashboard: declared, results: results, project: config.pipeline)
        }
        let written = try site.write(to: folder)
        print("docs: \(written.count) files in \(folder) (open \(URL(fileURLWithPath: folder).appendingPathComponent("index.html").path))")
        if !failedPanels.isEmpty { throw ExitCode(1) }
    }

    /// A panel's rows, read in a read-only transaction in the project's time zone (dates shown as the project sees them).
    static func rows(of panel: Dashboard.Panel, on connection: PGConnection?, timeZone: String) -> DashboardPage.Result {
        guard let connection else { return DashboardPage.Result(columns: [], rows: [], error: "the warehouse was not read (--offline)") }
        do {
            try connection.execute("BEGIN READ ONLY")
            defer { _ = try? connection.execute("ROLLBACK") }
            try connection.execute("SELECT set_config('TimeZone', $1, true), set_config('statement_timeout', '120s', true)", [timeZone])
            let result = try connection.execute(panel.sql)
            return DashboardPage.Result(columns: result.columns, rows: result.rows, error: nil)
        } catch {
            return DashboardPage.Result(columns: [], rows: [], error: "\(error)")
        }
    }
}
