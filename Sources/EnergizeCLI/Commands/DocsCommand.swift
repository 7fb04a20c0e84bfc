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
        let project = try ProjectModels(config: config, rawColumns: try connection.map { try ProjectModels.rawColumnsWithStreams($0, config: config) })
        let built = try SiteBuilder(config: config, project: project, dashboardFile: dashboard, runs: runs).build(connection: connection)
        for (title, error) in built.failedPanels { print("warning: dashboard panel \"\(title)\": \(error)") }
        let folder = output ?? config.path("target/docs")
        let written = try built.site.write(to: folder)
        print("docs: \(written.count) files in \(folder) (open \(URL(fileURLWithPath: folder).appendingPathComponent("index.html").path))")
        if !built.failedPanels.isEmpty { throw ExitCode(1) }
    }
}
