import Foundation
import PGSink

/// Reads a project and its warehouse into a docs site: the catalog, and the dashboard with its
/// panels' rows when the project declares one. `energize docs` writes what it builds; `energize
/// serve` builds it again as requests come.
struct SiteBuilder {
    let config: EnergizeConfig
    let project: ProjectModels
    /// The dashboard file; nil: `dashboard.yml` in the project when it exists.
    let dashboardFile: String?
    /// How many runs the history shows.
    let runs: Int

    /// The site, and the titles of dashboard panels whose query failed.
    /// - Parameter connection: the warehouse, or nil for the project's files alone.
    func build(connection: PGConnection?, links: [(String, String)] = []) throws -> (site: DocsSite, catalog: DocsCatalog, failedPanels: [(String, String)]) {
        let catalog = try DocsCatalog.read(config: config, project: project, connection: connection, runs: max(0, runs))
        var site = DocsSite(catalog: catalog)
        site.links = links
        var failed: [(String, String)] = []
        let file = dashboardFile.map { config.path($0) } ?? config.path("dashboard.yml")
        if dashboardFile != nil || FileManager.default.fileExists(atPath: file) {
            let declared = try Dashboard.read(file, project: project, timeZone: config.timeZone)
            let results = declared.panels.map { Self.rows(of: $0, on: connection, timeZone: config.timeZone) }
            if connection != nil {
                for (panel, result) in zip(declared.panels, results) where result.error != nil { failed.append((panel.title, result.error!)) }
            }
            site.dashboard = DashboardPage(dashboard: declared, results: results, project: config.pipeline, links: links)
        }
        return (site, catalog, failed)
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
