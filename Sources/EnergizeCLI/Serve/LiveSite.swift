import Foundation
import PGSink

/// The docs site as `energize serve` shows it: built from the warehouse again when a request
/// comes and the last build is older than `refresh` seconds, on one PostgreSQL connection
/// (reconnected when it was lost). An actor: one build at a time.
actor LiveSite {
    /// One page: its content type and bytes.
    struct Page: Sendable {
        var contentType: String
        var body: Data
        var status: Int = 200
    }

    private let builder: SiteBuilder
    private let connectionString: String
    private let refresh: Double
    private var connection: PGConnection?
    private var pages: [String: Page] = [:]
    private var builtAt: Date?

    /// The extra pages the served site links to from every page.
    static let links = [("grid.html", "Runs grid"), ("tests.html", "Data tests"), ("health", "Health (JSON)"), ("metrics", "Metrics")]

    init(builder: SiteBuilder, connectionString: String, refresh: Double) {
        self.builder = builder
        self.connectionString = connectionString
        self.refresh = refresh
    }

    /// The page at `path` (`/`, `/index.html`, `/models/x.html`, `/health`, …), nil when the site has none.
    func page(_ path: String) throws -> Page? {
        if builtAt.map({ Date().timeIntervalSince($0) >= refresh }) ?? true { try rebuild() }
        let key = path == "/" || path.isEmpty ? "index.html" : String(path.drop { $0 == "/" })
        return pages[key.removingPercentEncoding ?? key] ?? pages[key]
    }

    private func rebuild() throws {
        if connection?.isHealthy != true {
            connection?.close()
            connection = try PGConnection(connectionString, applicationName: "energize \(builder.config.pipeline) serve")
        }
        let built: (site: DocsSite, catalog: DocsCatalog, failedPanels: [(String, String)])
        do {
            built = try builder.build(connection: connection, links: Self.links)
        } catch {
            connection?.close()
            connection = nil
            throw error
        }
        var fresh: [String: Page] = [:]
        for (path, html) in built.site.pages() { fresh[path] = Page(contentType: "text/html; charset=utf-8", body: Data(html.utf8)) }
        fresh["assets/style.css"] = Page(contentType: "text/css; charset=utf-8", body: Data(HTML.stylesheet.utf8))
        fresh["grid.html"] = Page(contentType: "text/html; charset=utf-8", body: Data(ServedPages.grid(built.catalog, links: Self.links, dashboard: built.site.dashboard != nil).utf8))
        fresh["tests.html"] = Page(contentType: "text/html; charset=utf-8", body: Data(ServedPages.tests(built.catalog, links: Self.links, dashboard: built.site.dashboard != nil).utf8))
        let (meta, pipeline) = (builder.config.metaSchema, builder.config.pipeline)
        let followed = try connection.map { try Followed.read($0, metaSchema: meta, pipeline: pipeline) } ?? []
        let running = try connection.map { try Health.runsRunning($0, metaSchema: meta, pipeline: pipeline) } ?? 0
        let health = Health(built.catalog, followed: followed, runsRunning: running)
        // A monitor reads the status code: 200 when the last finished run succeeded, no data test
        // fails and no followed stream is unresponsive, else 503.
        fresh["health"] = Page(contentType: "application/json", body: try health.json(), status: health.isHealthy ? 200 : 503)
        fresh["metrics"] = Page(contentType: "text/plain; version=0.0.4; charset=utf-8", body: Data(MetricsText.render(health).utf8))
        pages = fresh
        builtAt = Date()
    }

    /// Closes the connection.
    func close() {
        connection?.close()
        connection = nil
    }
}
