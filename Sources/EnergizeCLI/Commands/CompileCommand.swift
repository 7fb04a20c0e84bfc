import ArgumentParser
import EnergizeCore
import Foundation
import PGSink
import Warehouse

/// `energize compile`: each model's SQL as it would run, without running it.
struct CompileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Print each model's and analysis's SQL with its macros resolved; --plan prints every statement the next transform would run.",
        discussion: """
            Reads the raw tables' columns from PostgreSQL (raw_column resolves to NULL for a column a table \
            lacks) and, with --plan, each model's relation and last run, as a transform would; --offline \
            compiles from the files alone (raw tables assumed complete, every model planned as a first build). \
            Analyses (the analyses folder: queries compiled, never built) follow the models when neither \
            --select nor --plan is given.
            """ + " " + ExitStatus.help)

    @OptionGroup var options: ConfigOptions

    @OptionGroup var selection: SelectionOptions

    @Flag(help: "Print the plan: every statement, with its parameters, that building the model runs next.")
    var plan = false

    @Flag(help: "Do not connect to PostgreSQL.")
    var offline = false

    @Flag(help: "Plan incremental models as a full refresh.")
    var fullRefresh = false

    @Option(help: "Write one <model>.sql per model into this folder instead of printing.")
    var output: String?

    func run() throws {
        let config = try options.load()
        let connection = offline ? nil : try PGConnection(try config.requirePG())
        defer { connection?.close() }
        let project = try ProjectModels(config: config, rawColumns: try connection.map { try ProjectModels.rawColumns($0, schema: config.rawSchema) })
        let selected = try selection.resolve(in: project.graph)
        let meta = WarehouseMeta(schema: config.metaSchema)
        let started = CivilTime(millisecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1000)).postgresText
        let nextRun = try connection.map { try Self.nextRunId($0, metaSchema: config.metaSchema) } ?? 1
        if let output { try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true) }
        for name in project.graph.order where selected.contains(name) {
            guard let transform = project.graph.models[name] else { continue }
            var text: String
            if plan {
                let context = try connection.map {
                    try PlanContext.current(for: transform, on: $0, meta: meta, runId: nextRun, runStartedAt: started, fullRefresh: fullRefresh)
                } ?? PlanContext(runId: nextRun, runStartedAt: started, fullRefresh: fullRefresh)
                text = try transform.plan(context).description
            } else {
                text = "-- \(name) (\(transform.materializationName)) → \(transform.relation)\n"
                if let model = transform as? Model {
                    text += model.sql
                    if let incremental = model.materialization as? Incremental {
                        switch incremental.strategy {
                        case .deleteInsert:
                            text += "\n-- changed scopes (\(incremental.scope.joined(separator: ", "))):\n\(incremental.changedScopes)"
                        case .add(let deltas, let countColumn):
                            text += "\n-- deltas added per \(incremental.uniqueKey.joined(separator: ", ")) (count column \(countColumn)):\n\(deltas)"
                        }
                        if let rebuildWhen = incremental.rebuildWhen { text += "\n-- rebuilt whole when this returns a row:\n\(rebuildWhen)" }
                    }
                }
            }
            if let output {
                try (text + "\n").write(toFile: (output as NSString).appendingPathComponent(name + ".sql"), atomically: true, encoding: .utf8)
            } else {
                print(text + "\n")
            }
        }
        // The analyses (dbt's analyses/): compiled like models, never built; shown when no model is selected.
        let analyses = plan || !selection.select.isEmpty ? [] : project.analyses
        for analysis in analyses {
            let text = "-- analysis \(analysis.name) (\(analysis.path))\n" + analysis.sql
            if let output {
                let folder = (output as NSString).appendingPathComponent("analyses")
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                try (text + "\n").write(toFile: (folder as NSString).appendingPathComponent(analysis.name + ".sql"), atomically: true, encoding: .utf8)
            } else {
                print(text + "\n")
            }
        }
        if let output { print("wrote \(selected.count) models\(analyses.isEmpty ? "" : " and \(analyses.count) analyses") to \(output)") }
    }

    /// The id the next run will get (1 before the first).
    static func nextRunId(_ connection: PGConnection, metaSchema: String) throws -> Int64 {
        let runs = SQLIdentifier.qualified(metaSchema, "runs")
        guard try connection.execute("SELECT to_regclass($1) IS NOT NULL", [runs]).scalar == "t" else { return 1 }
        return (Int64(try connection.execute("SELECT coalesce(max(run_id), 0) FROM \(runs)").scalar ?? "0") ?? 0) + 1
    }
}
