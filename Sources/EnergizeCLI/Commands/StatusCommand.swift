import ArgumentParser
import EnergizeCore
import Foundation
import PGSink

/// `energize status`: the last runs from `energize_meta`.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the last runs: duration, status, rows per stream, watermarks, data tests, errors.",
        discussion: ExitStatus.help)

    @OptionGroup var options: ConfigOptions

    @Option(help: "How many runs.")
    var limit = 5

    @Flag(help: "Print JSON for machines (keys in snake case, times ISO 8601 in UTC).")
    var json = false

    @Flag(help: "For a healthcheck: exit 1 when the last finished run did not succeed (failed, abandoned or stopped).")
    var check = false

    func run() async throws {
        let config = try options.load()
        let connection = try PGConnection(try config.requirePG())
        defer { connection.close() }
        let history = try RunHistory.read(connection, metaSchema: config.metaSchema, pipeline: config.pipeline, limit: limit)
        if json {
            print(String(decoding: try MachineOutput.json(history), as: UTF8.self))
        } else {
            print(history.text)
        }
        // A run still running says nothing yet: the one before it is the last word.
        if check, let last = history.runs.first(where: { $0.status != "running" }), last.status != "succeeded" { throw ExitCode(1) }
    }
}
