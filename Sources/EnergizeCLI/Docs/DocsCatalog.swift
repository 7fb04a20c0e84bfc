import EnergizeCore
import Foundation
import PGSink
import Warehouse

/// Everything the docs site shows, read once: the project's streams and models (descriptions from
/// its YAML, SQL as compiled) and, when the warehouse is reachable, what the runs left there —
/// column types, row counts, last builds, data-test results, watermarks, rejects, run history.
struct DocsCatalog {
    struct Column {
        var name: String
        var type: String?
        var description: String?
    }

    struct TestResult {
        var name: String
        var status: String?
        var failures: Int?
        var runId: Int64?
        var sample: String?
    }

    struct Build {
        var runId: Int64
        var status: String
        var finishedAt: String
        var durationSeconds: Double?
        var rows: Int?
        var error: String?
    }

    struct Model {
        var name: String
        var schema: String
        var materialization: String
        var description: String?
        /// The `SELECT` as compiled; nil for a model written in Swift.
        var sql: String?
        var dependencies: [String]
        var usedBy: [String]
        /// Raw tables it reads, as `schema.table`.
        var sources: [String]
        var columns: [Column]
        /// Rows in its table (nil for a view or before it was built).
        var rows: Int?
        var builds: [Build]
        var tests: [TestResult]
    }

    struct StreamRun {
        var runId: Int64
        var status: String
        var finishedAt: String
        var durationSeconds: Double?
        var rowsRead: Int
        var rowsLoaded: Int
        var rowsRejected: Int
        var error: String?
    }

    /// Rejects sharing a reason once numbers and quoted values are set aside.
    struct RejectGroup {
        var pattern: String
        var count: Int
        /// Up to three: the document id, the full reason, the document (JSON, shortened).
        var samples: [(id: String, reason: String, document: String)]
    }

    struct Stream {
        var name: String
        var collection: String
        var table: String
        var strategy: String
        var cursor: String?
        var key: String?
        var contractFields: Int
        var watermark: String?
        var watermarkUpdatedAt: String?
        /// When its last successful load finished, in the project's time zone (for people).
        var lastSuccess: String?
        /// The same, ISO 8601 in UTC (for machines: `/health`).
        var lastSuccessUTC: String?
        var freshnessSeconds: Double?
        var runs: [StreamRun]
        var rejects: [RejectGroup]
    }

    /// One bar of the run timeline: a stream's load or a model's build.
    struct Bar {
        var name: String
        var kind: String
        var status: String
        /// Seconds since the run started.
        var start: Double
        var end: Double
    }

    struct Run {
        var runId: Int64
        var status: String
        /// When it started, in the project's time zone (for people).
        var startedAt: String
        /// The same, ISO 8601 in UTC (for machines: `/health`).
        var startedAtUTC: String
        var durationSeconds: Double?
        var error: String?
        var bars: [Bar]
    }

    var pipeline: String
    /// When it was read, in the project's time zone (for people).
    var generatedAt: String
    /// The same, ISO 8601 in UTC (for machines: `/health`).
    var generatedAtUTC: String
    /// The project's time zone, the one every time for people is shown in (watermarks excepted:
    /// they are the source's values, in UTC).
    var timeZone: String
    var rawSchema: String
    var models: [Model]
    var streams: [Stream]
    var runs: [Run]
    /// Why the warehouse facts are missing, when it could not be read.
    var warehouseNote: String?

    /// Reads the catalog.
    /// - Parameters:
    ///   - config: the project.
    ///   - project: its compiled models and tests.
    ///   - connection: the warehouse, or nil to document the project alone.
    ///   - runs: how many runs the timeline shows.
    static func read(config: EnergizeConfig, project: ProjectModels, connection: PGConnection?, runs runLimit: Int) throws -> DocsCatalog {
        let zone = config.timeZone
        let graph = project.graph
        let now = Date()
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: zone) ?? TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss zzz"
        var catalog = DocsCatalog(pipeline: config.pipeline, generatedAt: formatter.string(from: now),
                                  generatedAtUTC: MachineOutput.utc(now), timeZone: zone,
                                  rawSchema: config.rawSchema,
                                  models: [], streams: [], runs: [], warehouseNote: nil)
        let reader = connection.map { WarehouseReader(connection: $0, metaSchema: config.metaSchema, zone: zone) }
        for name in graph.order {
            guard let transform = graph.models[name] else { continue }
            let model = graph.model(name)
            let described = Dictionary((model?.columns ?? []).map { ($0.name, $0.description) }, uniquingKeysWith: { first, _ in first })
            var entry = Model(name: name, schema: transform.schema, materialization: transform.materializationName,
                              description: model?.description, sql: model?.sql, dependencies: transform.dependencies,
                              usedBy: graph.order.filter { graph.models[$0]?.dependencies.contains(name) == true },
                              sources: (model?.sources ?? []).map { "\($0.schema).\($0.name)" },
                              columns: (model?.columns ?? []).map { Column(name: $0.name, type: nil, description: $0.description) },
                              rows: nil, builds: [], tests: project.tests.filter { $0.model == name }.map { TestResult(name: $0.name) })
            if let reader {
                let relation = transform.relation
                let columns = try reader.columns(of: relation)
                if !columns.isEmpty {
                    // The database's columns, in its order, with the YAML's descriptions (and any it describes that the table lacks).
                    entry.columns = columns.map { Column(name: $0.0, type: $0.1, description: described[$0.0] ?? nil) }
                        + entry.columns.filter { column in !columns.contains { $0.0 == column.name } }
                    entry.rows = try reader.rowCount(of: relation)
                }
                entry.builds = try reader.builds(of: name)
                entry.tests = try reader.testResults(entry.tests.map(\.name))
            }
            catalog.models.append(entry)
        }
        for stream in config.streams {
            var entry = Stream(name: stream.name, collection: stream.collection, table: "\(config.rawSchema).\(stream.table)",
                               strategy: stream.strategy.summary, cursor: stream.strategy.cursorField, key: stream.strategy.keyField,
                               contractFields: stream.contract.count, watermark: nil, watermarkUpdatedAt: nil, lastSuccess: nil, lastSuccessUTC: nil,
                               freshnessSeconds: nil, runs: [], rejects: [])
            if let reader {
                (entry.watermark, entry.watermarkUpdatedAt) = try reader.watermark(pipeline: config.pipeline, stream: stream.name)
                (entry.lastSuccess, entry.lastSuccessUTC, entry.freshnessSeconds) = try reader.lastSuccess(stream: stream.name, pipeline: config.pipeline)
                entry.runs = try reader.streamRuns(stream: stream.name, pipeline: config.pipeline, limit: 30)
                entry.rejects = try reader.rejects(table: SQLIdentifier.qualified(config.rawSchema, "_rejects"), collection: stream.collection)
            }
            catalog.streams.append(entry)
        }
        if let reader {
            catalog.runs = try reader.runs(pipeline: config.pipeline, limit: runLimit)
        } else {
            catalog.warehouseNote = "The warehouse was not read (no PostgreSQL connection): row counts, builds, test results and runs are missing."
        }
        return catalog
    }
}

/// The queries the catalog runs; every value a parameter, every name quoted.
private struct WarehouseReader {
    let connection: PGConnection
    let metaSchema: String
    let zone: String

    private func meta(_ table: String) -> String { SQLIdentifier.qualified(metaSchema, table) }

    private func exists(_ relation: String) throws -> Bool {
        try connection.execute("SELECT to_regclass($1) IS NOT NULL", [relation]).scalar == "t"
    }

    /// A timestamp as text in the project's time zone.
    private func local(_ column: String) -> String {
        "to_char(\(column) AT TIME ZONE $\(zoneParameter), 'YYYY-MM-DD HH24:MI:SS')"
    }

    /// The parameter number the time zone takes in the statements that show times (always the first).
    private let zoneParameter = 1

    func columns(of relation: String) throws -> [(String, String)] {
        try connection.execute("""
            SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
            WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum
            """, [relation]).rows.compactMap { row in row[0].map { ($0, row[1] ?? "") } }
    }

    /// Rows of a table; nil for a view.
    func rowCount(of relation: String) throws -> Int? {
        guard try connection.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass($1)", [relation]).scalar == "r" else { return nil }
        return Int(try connection.execute("SELECT count(*) FROM \(relation)").scalar ?? "")
    }

    func builds(of model: String) throws -> [DocsCatalog.Build] {
        guard try exists(meta("model_runs")) else { return [] }
        return try connection.execute("""
            SELECT run_id, status, \(local("finished_at")), duration_seconds, rows, error FROM \(meta("model_runs"))
            WHERE model = $2 ORDER BY run_id DESC LIMIT 10
            """, [zone, model]).rows.map { row in
            DocsCatalog.Build(runId: Int64(row[0] ?? "") ?? 0, status: row[1] ?? "", finishedAt: row[2] ?? "",
                              durationSeconds: row[3].flatMap(Double.init), rows: row[4].flatMap { Int($0) }, error: row[5])
        }
    }

    /// The last result of each named test.
    func testResults(_ names: [String]) throws -> [DocsCatalog.TestResult] {
        guard try exists(meta("test_results")) else { return names.map { DocsCatalog.TestResult(name: $0) } }
        let rows = try connection.execute("""
            SELECT DISTINCT ON (test) test, status, failures, run_id, sample FROM \(meta("test_results"))
            WHERE test = ANY($1::text[]) ORDER BY test, run_id DESC
            """, [PostgresArray.text(names)]).rows
        let byName = Dictionary(rows.map { ($0[0] ?? "", $0) }, uniquingKeysWith: { first, _ in first })
        return names.map { name in
            guard let row = byName[name] else { return DocsCatalog.TestResult(name: name) }
            return DocsCatalog.TestResult(name: name, status: row[1], failures: row[2].flatMap { Int($0) },
                                          runId: row[3].flatMap { Int64($0) }, sample: row[4])
        }
    }

    func watermark(pipeline: String, stream: String) throws -> (String?, String?) {
        guard try exists(meta("watermarks")) else { return (nil, nil) }
        let row = try connection.execute("""
            SELECT value, \(local("updated_at")) FROM \(meta("watermarks")) WHERE pipeline = $2 AND stream = $3
            """, [zone, pipeline, stream]).rows.first
        return (row?[0] ?? nil, row?[1] ?? nil)
    }

    func lastSuccess(stream: String, pipeline: String) throws -> (String?, String?, Double?) {
        guard try exists(meta("stream_runs")) else { return (nil, nil, nil) }
        let row = try connection.execute("""
            SELECT \(local("max(s.finished_at)")), \(MachineOutput.utcSQL("max(s.finished_at)")), extract(epoch FROM now() - max(s.finished_at))::float8
            FROM \(meta("stream_runs")) s JOIN \(meta("runs")) r USING (run_id)
            WHERE s.stream = $2 AND r.pipeline = $3 AND s.status = 'succeeded'
            """, [zone, stream, pipeline]).rows.first
        return (row?[0] ?? nil, row?[1] ?? nil, row?[2].flatMap(Double.init))
    }

    func streamRuns(stream: String, pipeline: String, limit: Int) throws -> [DocsCatalog.StreamRun] {
        guard try exists(meta("stream_runs")) else { return [] }
        return try connection.execute("""
            SELECT s.run_id, s.status, \(local("s.finished_at")), extract(epoch FROM s.finished_at - s.started_at)::float8,
              s.rows_read, s.rows_loaded, s.rows_rejected, s.error
            FROM \(meta("stream_runs")) s JOIN \(meta("runs")) r USING (run_id)
            WHERE s.stream = $2 AND r.pipeline = $3 ORDER BY s.run_id DESC LIMIT $4
            """, [zone, stream, pipeline, String(limit)]).rows.map { row in
            DocsCatalog.StreamRun(runId: Int64(row[0] ?? "") ?? 0, status: row[1] ?? "", finishedAt: row[2] ?? "",
                                  durationSeconds: row[3].flatMap(Double.init), rowsRead: Int(row[4] ?? "") ?? 0,
                                  rowsLoaded: Int(row[5] ?? "") ?? 0, rowsRejected: Int(row[6] ?? "") ?? 0, error: row[7])
        }
    }

    /// The collection's current rejects, grouped by reason with numbers and quoted values set aside.
    func rejects(table: String, collection: String) throws -> [DocsCatalog.RejectGroup] {
        guard try exists(table) else { return [] }
        let pattern = #"regexp_replace(reason, '"[^"]*"|[0-9]+', '…', 'g')"#
        let rows = try connection.execute("""
            WITH r AS (SELECT \(pattern) AS pattern, document_id, reason, left(document::text, 400) AS document FROM \(table) WHERE collection = $1),
            g AS (SELECT pattern, count(*) AS n FROM r GROUP BY pattern ORDER BY n DESC, pattern LIMIT 20)
            SELECT g.pattern, g.n, s.document_id, s.reason, s.document FROM g
            CROSS JOIN LATERAL (SELECT * FROM r WHERE r.pattern = g.pattern ORDER BY r.document_id LIMIT 3) s
            ORDER BY g.n DESC, g.pattern, s.document_id
            """, [collection]).rows
        var groups: [DocsCatalog.RejectGroup] = []
        for row in rows {
            let sample = (id: row[2] ?? "", reason: row[3] ?? "", document: row[4] ?? "")
            if let last = groups.last, last.pattern == row[0] ?? "" {
                groups[groups.count - 1].samples.append(sample)
            } else {
                groups.append(DocsCatalog.RejectGroup(pattern: row[0] ?? "", count: Int(row[1] ?? "") ?? 0, samples: [sample]))
            }
        }
        return groups
    }

    func runs(pipeline: String, limit: Int) throws -> [DocsCatalog.Run] {
        guard try exists(meta("runs")) else { return [] }
        let runs = try connection.execute("""
            SELECT run_id, \(PGSink.statusExpression(runs: "r")), \(local("started_at")),
              extract(epoch FROM finished_at - started_at)::float8, error, \(MachineOutput.utcSQL("started_at"))
            FROM \(meta("runs")) r WHERE pipeline = $2 ORDER BY run_id DESC LIMIT $3
            """, [zone, pipeline, String(limit)]).rows
        let hasModels = try exists(meta("model_runs"))
        return try runs.map { row in
            let id = row[0] ?? "0"
            var bars = try connection.execute("""
                SELECT s.stream, s.status, extract(epoch FROM coalesce(s.started_at, s.finished_at) - r.started_at)::float8,
                  extract(epoch FROM s.finished_at - r.started_at)::float8
                FROM \(meta("stream_runs")) s JOIN \(meta("runs")) r USING (run_id) WHERE s.run_id = $1 ORDER BY 3, 1
                """, [id]).rows.map { bar in
                DocsCatalog.Bar(name: bar[0] ?? "", kind: "stream", status: bar[1] ?? "", start: Double(bar[2] ?? "") ?? 0, end: Double(bar[3] ?? "") ?? 0)
            }
            if hasModels {
                bars += try connection.execute("""
                    SELECT m.model, m.status, extract(epoch FROM m.finished_at - r.started_at)::float8 - coalesce(m.duration_seconds, 0),
                      extract(epoch FROM m.finished_at - r.started_at)::float8
                    FROM \(meta("model_runs")) m JOIN \(meta("runs")) r USING (run_id) WHERE m.run_id = $1 ORDER BY 3, 1
                    """, [id]).rows.map { bar in
                    DocsCatalog.Bar(name: bar[0] ?? "", kind: "model", status: bar[1] ?? "", start: Double(bar[2] ?? "") ?? 0, end: Double(bar[3] ?? "") ?? 0)
                }
            }
            return DocsCatalog.Run(runId: Int64(id) ?? 0, status: row[1] ?? "", startedAt: row[2] ?? "", startedAtUTC: row[5] ?? "",
                                   durationSeconds: row[3].flatMap(Double.init), error: row[4], bars: bars)
        }
    }
}
