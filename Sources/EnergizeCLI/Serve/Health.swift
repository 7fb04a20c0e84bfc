import EnergizeCore
import Foundation
import PGSink

/// What a monitor polls: the last finished run, each stream's freshness, failing data tests, and
/// the followed streams (`energize follow`).
struct Health: Encodable {
    struct LastRun: Encodable {
        var runId: Int64
        var status: String
        var startedAt: String
        var durationSeconds: Double?
        var error: String?
    }

    struct StreamFreshness: Encodable {
        var stream: String
        var lastStatus: String?
        var lastSuccess: String?
        var freshnessSeconds: Double?
    }

    /// `ok` (the last finished run succeeded, no data test fails, no followed stream is
    /// unresponsive), `running` (a first run has not finished), `failing`, or `no_runs`.
    var status: String
    var pipeline: String
    var checkedAt: String
    /// The newest run that has finished (a follow run stays `running` while it follows).
    var lastRun: LastRun?
    /// Runs not finished yet (a follow run, a run under way).
    var runsRunning: Int
    var streams: [StreamFreshness]
    var dataTestsFailing: Int
    var dataTests: Int
    /// Streams `energize follow` applies changes to, with their lag and pace.
    var followed: [Followed]

    /// The health of what `catalog`, `followed` and `runsRunning` say.
    /// - Parameters:
    ///   - catalog: the site's catalog (runs, streams, models and their tests).
    ///   - followed: the followed streams.
    ///   - runsRunning: the pipeline's runs not finished (all of them, not only the catalog's last few).
    init(_ catalog: DocsCatalog, followed: [Followed], runsRunning: Int) {
        pipeline = catalog.pipeline
        checkedAt = catalog.generatedAtUTC
        lastRun = catalog.runs.first { $0.status != "running" }
            .map { LastRun(runId: $0.runId, status: $0.status, startedAt: $0.startedAtUTC, durationSeconds: $0.durationSeconds, error: $0.error) }
        self.runsRunning = runsRunning
        streams = catalog.streams.map { StreamFreshness(stream: $0.name, lastStatus: $0.runs.first?.status, lastSuccess: $0.lastSuccessUTC, freshnessSeconds: $0.freshnessSeconds) }
        let tests = catalog.models.flatMap(\.tests)
        dataTests = tests.count
        dataTestsFailing = tests.filter { $0.status == "failed" }.count
        self.followed = followed
        let healthy = dataTestsFailing == 0 && !followed.contains { $0.state == Followed.unresponsive }
        status = switch lastRun?.status {
        case nil where runsRunning > 0: healthy ? "running" : "failing"
        case nil: "no_runs"
        case "succeeded": healthy ? "ok" : "failing"
        default: "failing"
        }
    }

    /// Whether a monitor should be told all is well (HTTP 200; else 503).
    var isHealthy: Bool { status == "ok" || status == "running" }

    /// How many runs of `pipeline` have not finished (a follow run stays running while it follows).
    /// - Parameters:
    ///   - connection: the warehouse.
    ///   - metaSchema: the pipeline's meta schema.
    ///   - pipeline: the pipeline's name.
    /// - Throws: `PGError` when the run history cannot be read.
    static func runsRunning(_ connection: PGConnection, metaSchema: String, pipeline: String) throws -> Int {
        let runs = SQLIdentifier.qualified(metaSchema, "runs")
        guard try connection.execute("SELECT to_regclass($1) IS NOT NULL", [runs]).scalar == "t" else { return 0 }
        return Int(try connection.execute("""
            SELECT count(*) FROM \(runs) r WHERE r.pipeline = $1 AND \(PGSink.statusExpression(runs: "r")) = 'running'
            """, [pipeline]).scalar ?? "0") ?? 0
    }

    /// The JSON text (see `MachineOutput`).
    func json() throws -> Data {
        try MachineOutput.json(self)
    }
}
