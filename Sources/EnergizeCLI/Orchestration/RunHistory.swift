import EnergizeCore
import Foundation
import PGSink

/// The last runs of a pipeline as `energize_meta` records them.
struct RunHistory: Codable {
    struct Stream: Codable {
        var stream: String
        /// How it loaded (`LoadStrategy.summary`; a reload says so: `StreamConfig.loadSummary`).
        var strategy: String?
        var status: String
        var rowsRead: Int
        var rowsLoaded: Int
        /// Rows the load deleted (replaced, gone from the source); nil in a history from before it was kept.
        var rowsDeleted: Int?
        var rowsRejected: Int
        var watermarkBefore: String?
        var watermarkAfter: String?
        /// The last failure's error (also when a retry then succeeded).
        var error: String?
        var attempts: Int
    }

    struct Run: Codable {
        var runId: Int64
        /// ISO 8601, UTC.
        var startedAt: String
        /// Seconds from its start to its end; for a run still running, so far.
        var durationSeconds: Double?
        var status: String
        var error: String?
        /// Who started it, when somebody said (`--origin`: an Airflow task and its try).
        var origin: String?
        var streams: [Stream]
        var modelsBuilt: Int
        /// Models left as they were: nothing they read had changed.
        var modelsUnchanged: Int
        var modelsFailed: [String]
        var testsPassed: Int
        /// Passing tests not run again: nothing they read had changed since they passed.
        var testsReused: Int
        var testsFailed: [String]
    }

    var pipeline: String
    var runs: [Run]
    /// Streams followed with `energize follow`, with their position.
    var followed: [Followed] = []

    static func read(_ connection: PGConnection, metaSchema: String, pipeline: String, limit: Int) throws -> RunHistory {
        let meta = { (table: String) in SQLIdentifier.qualified(metaSchema, table) }
        // Before the first run there is no history to read: say so, not a missing-table error.
        guard try connection.execute("SELECT to_regclass($1) IS NOT NULL", [meta("runs")]).scalar == "t" else {
            return RunHistory(pipeline: pipeline, runs: [])
        }
        let runs = try connection.execute("""
            SELECT run_id, \(MachineOutput.utcSQL("started_at")),
              extract(epoch FROM CASE WHEN \(PGSink.statusExpression(runs: "r")) = 'running' THEN clock_timestamp() ELSE finished_at END
                - started_at)::float8, \(PGSink.statusExpression(runs: "r")), error,
              to_jsonb(r) ->> 'origin'
            FROM \(meta("runs")) r WHERE pipeline = $1 ORDER BY run_id DESC LIMIT $2
            """, [pipeline, String(limit)]).rows
        let hasModels = try connection.execute("SELECT to_regclass($1) IS NOT NULL", [meta("model_runs")]).scalar == "t"
        let followed = try Followed.read(connection, metaSchema: metaSchema, pipeline: pipeline)
        return RunHistory(pipeline: pipeline, runs: try runs.map { row in
            let id = row[0] ?? "0"
            let streams = try connection.execute("""
                SELECT stream, status, rows_read, rows_loaded, rows_rejected, watermark_before, watermark_after, error, attempts,
                  strategy, rows_deleted
                FROM \(meta("stream_runs")) WHERE run_id = $1 ORDER BY stream
                """, [id]).rows.map { s in
                Stream(stream: s[0] ?? "", strategy: s[9], status: s[1] ?? "", rowsRead: Int(s[2] ?? "0") ?? 0, rowsLoaded: Int(s[3] ?? "0") ?? 0,
                       rowsDeleted: s[10].flatMap { Int($0) }, rowsRejected: Int(s[4] ?? "0") ?? 0, watermarkBefore: s[5], watermarkAfter: s[6],
                       error: s[7], attempts: Int(s[8] ?? "1") ?? 1)
            }
            var built = 0, unchanged = 0, failedModels: [String] = [], passed = 0, reused = 0, failedTests: [String] = []
            if hasModels {
                for model in try connection.execute("SELECT model, status FROM \(meta("model_runs")) WHERE run_id = $1", [id]).rows {
                    switch model[1] {
                    case "succeeded": built += 1
                    case "unchanged": unchanged += 1
                    default: failedModels.append("\(model[0] ?? "") (\(model[1] ?? ""))")
                    }
                }
                for test in try connection.execute("SELECT test, status, failures FROM \(meta("test_results")) WHERE run_id = $1", [id]).rows {
                    switch test[1] {
                    case "passed": passed += 1
                    case "unchanged": passed += 1; reused += 1
                    case "error": failedTests.append("\(test[0] ?? "") (could not run)")
                    default: failedTests.append("\(test[0] ?? "") (\(test[2] ?? "?") offending)")
                    }
                }
            }
            return Run(runId: Int64(id) ?? 0, startedAt: row[1] ?? "", durationSeconds: row[2].flatMap(Double.init), status: row[3] ?? "",
                       error: row[4], origin: row[5], streams: streams, modelsBuilt: built, modelsUnchanged: unchanged, modelsFailed: failedModels,
                       testsPassed: passed, testsReused: reused, testsFailed: failedTests)
        }, followed: followed)
    }

    /// The human form: one block per run.
    var text: String {
        guard !runs.isEmpty else { return "no runs of pipeline \(pipeline) yet" }
        var lines: [String] = []
        if !followed.isEmpty {
            lines.append("followed streams (energize follow):")
            lines.append(Followed.table(followed))
            lines.append("")
        }
        for run in runs {
            // A run still running: its time so far (its load may have ended, its transform not).
            let duration = run.durationSeconds.map { String(format: "%.1f s", $0) + (run.status == "running" ? " so far" : "") } ?? "running"
            lines.append("run \(run.runId)  \(MachineOutput.readable(run.startedAt)) UTC  \(duration)  \(run.status.uppercased())"
                         + (run.origin.map { "  (\($0))" } ?? ""))
            let rows = run.streams.map { s in
                [s.stream + (s.strategy?.hasSuffix(StreamConfig.reloadMark) == true ? " (reloaded)" : ""), s.status, String(s.attempts),
                 String(s.rowsRead), String(s.rowsLoaded), s.rowsDeleted.map(String.init) ?? "-", String(s.rowsRejected), s.watermarkAfter ?? "-"]
            }
            if !rows.isEmpty {
                lines.append(Table.render(header: ["stream", "status", "attempts", "read", "loaded", "deleted", "rejected", "watermark after"], rows: rows))
            }
            for stream in run.streams where stream.error != nil {
                let when = stream.status == "succeeded" ? "before a retry succeeded" : "last attempt"
                lines.append("  error in \(stream.stream) (\(when)): \(stream.error!)")
            }
            if let error = run.error, run.status != "succeeded" {
                lines.append("  why: " + error.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n       "))
            }
            if run.modelsBuilt + run.modelsUnchanged + run.modelsFailed.count > 0 {
                lines.append("  models: \(run.modelsBuilt) built" + (run.modelsUnchanged == 0 ? "" : ", \(run.modelsUnchanged) unchanged")
                             + (run.modelsFailed.isEmpty ? "" : ", not built: " + run.modelsFailed.joined(separator: ", ")))
            }
            // Tests show whenever some ran (`energize test` builds no model), never as "0 passed"
            // after a transform that stopped before them.
            if run.testsPassed + run.testsReused + run.testsFailed.count > 0 {
                lines.append("  data tests: \(run.testsPassed) passed" + (run.testsReused == 0 ? "" : " (\(run.testsReused) not run again, inputs unchanged)")
                             + (run.testsFailed.isEmpty ? "" : ", failed: " + run.testsFailed.joined(separator: ", ")))
            }
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }
}
