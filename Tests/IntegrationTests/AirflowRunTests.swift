import EnergizeCore
import EnergizeTech
import Foundation
import MongoSource
import PGSink
import Testing

/// The DAG that `energize airflow-dag` writes, run by a real Apache Airflow 2.10
/// (scripts/airflow_dag_run.py: LocalExecutor, its metadata in a database of its own on the test
/// PostgreSQL, connection strings given as Airflow Connections) against the EnergizeTech project:
/// `airflow dags test`; a scheduler run whose load tasks overlap; a run in which MongoDB is killed
/// while the sales stream reads and Airflow's retries finish the job; a finished task cleared and
/// run again. After each, the raw tables, `_rejects`, the warehouse and the run history's counts
/// equal those of one `energize run` of the same data.
@Suite(.serialized, .enabled(if: LiveServers.enabled)) struct AirflowRunTests {
    static let pipeline = "it_af"
    static let reference = "it_af_ref"
    static let database = "airflow_it"

    /// The Airflow of scripts/airflow-venv.sh driven by scripts/airflow_dag_run.py.
    struct Airflow {
        let python: String
        let dags: URL
        let home: URL
        let metaURI: String
        let environment: [String: String]

        /// Runs `airflow_dag_run.py arguments`; returns the JSON line it prints.
        /// - Parameters:
        ///   - arguments: the script's command and its arguments.
        ///   - during: run on a thread of its own while the script runs (a fault to inject).
        func run(_ arguments: [String], while during: (@Sendable () -> Void)? = nil) throws -> [String: Any] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = [EnergizeTechProject.repository.appendingPathComponent("scripts/airflow_dag_run.py").path,
                                 "--dags", dags.path, "--home", home.path, "--meta-uri", metaURI,
                                 "--pool", "energize_postgres=4", "--parallelism", "6"] + arguments
            process.environment = environment
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            let watcher = during.map { body in Thread { body() } }
            watcher?.start()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let text = String(decoding: data, as: UTF8.self)
            let line = try #require(text.split(separator: "\n").last, "airflow_dag_run.py printed nothing (see \(home.path))")
            return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(text)")
        }
    }

    /// The task states of a reported DAG run.
    func states(_ report: [String: Any]) -> [String: String] {
        ((report["tasks"] as? [String: [String: Any]]) ?? [:]).compactMapValues { $0["state"] as? String }
    }

    /// Every table of the pipeline's raw, staging-built and warehouse schemas as a set of rows,
    /// without what differs by run (`_loaded_at`, run ids, `rejected_at`): what must equal the reference.
    func contents(_ connection: PGConnection, _ pipeline: String) throws -> [String: String] {
        let tables = try connection.execute("""
            SELECT table_schema, table_name FROM information_schema.tables
            WHERE table_schema IN ($1, $2) AND table_type = 'BASE TABLE' AND table_name NOT LIKE '%\\_\\_energize\\_%' ORDER BY 1, 2
            """, ["\(pipeline)_raw", "\(pipeline)_warehouse"]).rows
        var contents: [String: String] = [:]
        for row in tables {
            let name = SQLIdentifier.qualified(row[0]!, row[1]!)
            contents[row[0]!.replacingOccurrences(of: pipeline, with: "") + "." + row[1]!] = try connection.execute("""
                SELECT count(*) || ' rows, ' || coalesce(md5(string_agg(r::text, '|' ORDER BY r::text)), '-') FROM
                  (SELECT to_jsonb(t) - '_loaded_at' - '_run_id' - '_version_run' - '_changed_run' - 'run_id' - 'first_run_id'
                     - 'last_run_id' - 'rejected_at' AS r FROM \(name) t) x
                """).scalar
        }
        return contents
    }

    /// Expects the pipeline's tables to hold what one run's do, naming those that differ.
    func expectContents(_ connection: PGConnection, _ expected: [String: String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let actual = try contents(connection, Self.pipeline)
        #expect(actual == expected, "\(differences(actual, expected))", sourceLocation: sourceLocation)
    }

    /// Expects the pipeline's stream history to be one run's, showing both when not.
    func expectHistory(_ connection: PGConnection, _ expected: [[String?]], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let actual = try streamHistory(connection, Self.pipeline)
        #expect(actual == expected, "\(actual) against one run's \(expected)", sourceLocation: sourceLocation)
    }

    /// The tables whose contents differ, for a failed comparison's message.
    func differences(_ actual: [String: String], _ expected: [String: String]) -> [String] {
        Set(actual.keys).union(expected.keys).sorted().filter { actual[$0] != expected[$0] }
            .map { "\($0): \(actual[$0] ?? "missing") against one run's \(expected[$0] ?? "missing")" }
    }

    /// Per stream, the rows read, loaded and rejected and the watermark its last successful load recorded.
    func streamHistory(_ connection: PGConnection, _ pipeline: String) throws -> [[String?]] {
        try connection.execute("""
            SELECT DISTINCT ON (stream) stream, rows_read::text, rows_loaded::text, rows_rejected::text, watermark_after
            FROM \(pipeline)_meta.stream_runs WHERE status = 'succeeded' ORDER BY stream, run_id DESC
            """).rows
    }

    /// The pipeline's runs started by Airflow: origin and status, in run order.
    func airflowRuns(_ connection: PGConnection) throws -> [(origin: String, status: String)] {
        try connection.execute("""
            SELECT origin, \(PGSink.statusExpression(runs: "r")) FROM \(Self.pipeline)_meta.runs r WHERE origin LIKE 'airflow %' ORDER BY run_id
            """).rows.map { ($0[0] ?? "", $0[1] ?? "") }
    }

    /// Polls `sql` every 20 ms for up to two minutes; whether it returned a row.
    static func poll(_ connection: PGConnection, _ sql: String, _ parameters: [String?]) -> Bool {
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            if let rows = try? connection.execute(sql, parameters).rows, !rows.isEmpty { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return false
    }

    /// What the injected fault did, set from the thread that injects it.
    final class FaultProgress: @unchecked Sendable {
        // @unchecked Sendable: both flags are only touched under `lock`.
        private let lock = NSLock()
        private var state = (killed: false, restarted: false)
        var killed: Bool {
            get { lock.withLock { state.killed } }
            set { lock.withLock { state.killed = newValue } }
        }
        var restarted: Bool {
            get { lock.withLock { state.restarted } }
            set { lock.withLock { state.restarted = newValue } }
        }
    }

    func dropSchemas(_ connection: PGConnection) throws {
        for schema in ["raw", "staging", "warehouse", "meta"] {
            try connection.execute("DROP SCHEMA IF EXISTS \(Self.pipeline)_\(schema) CASCADE")
        }
    }

    @Test func theGeneratedDAGRunsInAirflowInParallelRetrySafeAndEqualsOneRun() throws {
        guard let python = ProcessInfo.processInfo.environment["ENERGIZE_AIRFLOW_PYTHON"], !python.isEmpty else {
            throw LiveServers.Missing(description: "ENERGIZE_AIRFLOW_PYTHON is not set: run the tests with `make test`, which installs Apache Airflow")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("energize-airflow-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        // A MongoDB of the test's own: this test kills it.
        let mongo = try LocalMongoServer(folder: folder.appendingPathComponent("mongo"))
        defer { mongo.stop() }
        try mongo.start()
        try SourceSeeder(uri: mongo.uri, database: Self.database).seed(SyntheticData(size: .init(customers: 200, sales: 3_000), seed: 17))
        let connection = try LiveServers.freshSchemas(["raw", "staging", "warehouse", "meta"].flatMap { ["\(Self.pipeline)_\($0)", "\(Self.reference)_\($0)"] })
        defer { connection.close() }

        // The reference: one `energize run` of the same data.
        for (name, extra) in [(Self.reference, ""), (Self.pipeline, "retries: {attempts: 4, initial_delay: 3s, max_delay: 6s}\n")] {
            let project = folder.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: project, withIntermediateDirectories: true)
            try EnergizeTechProject.configuration(pipeline: name, database: Self.database, extra: extra)
                .write(to: project.appendingPathComponent("energize.yml"), atomically: true, encoding: .utf8)
        }
        let referenceRun = try EnergizeBinary.start(["run", "--quiet"], in: folder.appendingPathComponent(Self.reference),
                                                    environment: ["ENERGIZE_MONGO_URI": mongo.uri]).wait()
        #expect(referenceRun.status == 0, "\(referenceRun.output)")
        let expected = try contents(connection, Self.reference)
        let expectedStreams = try streamHistory(connection, Self.reference)
        #expect(expected.count >= 15, "\(expected.keys.sorted())")

        // The DAG, for workers that run the debug binary; connection strings come from Airflow Connections only.
        let dags = folder.appendingPathComponent("dags")
        try FileManager.default.createDirectory(at: dags, withIntermediateDirectories: true)
        let written = try EnergizeBinary.run(["airflow-dag", "--executable", EnergizeBinary.path.path,
                                              "--output", dags.appendingPathComponent("energize_it_af.py").path],
                                             in: folder.appendingPathComponent(Self.pipeline))
        #expect(written.status == 0, "\(written.output)")
        var environment = ProcessInfo.processInfo.environment
        environment["ENERGIZE_PG_URI"] = nil
        environment["ENERGIZE_MONGO_URI"] = nil
        environment["AIRFLOW_CONN_ENERGIZE_POSTGRES"] = try LiveServers.pgURI()
        environment["AIRFLOW_CONN_ENERGIZE_MONGO"] = mongo.uri
        var meta = try #require(URLComponents(string: try LiveServers.pgURI()))
        meta.path = "/energize_airflow_it"
        let airflow = Airflow(python: python, dags: dags, home: folder.appendingPathComponent("airflow"),
                              metaURI: try #require(meta.string), environment: environment)
        let dag = "energize_\(Self.pipeline)"
        let tasks = ["load_customers", "load_products", "load_stores", "load_sales", "load_transactions", "transform", "test"]

        // 1. `airflow dags test`: the whole DAG in one process.
        let tested = try airflow.run(["dags-test", dag])
        #expect(tested["error"] == nil && tested["state"] as? String == "success", "dags test: \(tested)")
        #expect(states(tested) == Dictionary(uniqueKeysWithValues: tasks.map { ($0, "success") }), "\(tested)")
        try expectContents(connection, expected)
        try expectHistory(connection, expectedStreams)
        let testedRun = try #require(tested["run_id"] as? String)
        #expect(try airflowRuns(connection).map(\.origin).sorted() == tasks.map { "airflow \(dag) \(testedRun) \($0) try 1" }.sorted())

        // 2. The scheduler with the LocalExecutor: the load tasks overlap.
        try dropSchemas(connection)
        let scheduled = try airflow.run(["local-run", dag, "--timeout", "600"])
        #expect(scheduled["error"] == nil && scheduled["state"] as? String == "success", "local run: \(scheduled)")
        #expect(states(scheduled) == Dictionary(uniqueKeysWithValues: tasks.map { ($0, "success") }), "\(scheduled)")
        #expect((scheduled["max_parallel_tasks"] as? Int ?? 0) >= 2, "the load tasks did not overlap: \(scheduled)")
        #expect((scheduled["leftover"] as? [Any])?.isEmpty == true, "\(scheduled)")
        try expectContents(connection, expected)
        // A task Airflow itself ran again (a try it took for a zombie on a loaded machine, and
        // stopped) loads its stream a second time, as an incremental run: its history then
        // truthfully differs from one run's, so it is compared by stream only. Every other task's
        // energize run succeeded, and so did the last try of each.
        let scheduledRun = try #require(scheduled["run_id"] as? String)
        let retriedTasks = Set(((scheduled["tasks"] as? [String: [String: Any]]) ?? [:]).filter { ($0.value["try_number"] as? Int ?? 1) > 1 }.keys)
        let rerun = Set(retriedTasks.map { String($0.dropFirst("load_".count)) })
        let scheduledRuns = try connection.execute("""
            SELECT split_part(origin, ' ', 4), \(PGSink.statusExpression(runs: "r")), error FROM \(Self.pipeline)_meta.runs r
            WHERE origin LIKE $1 ORDER BY run_id
            """, ["airflow \(dag) \(scheduledRun) %"]).rows
        let lastOfEach = Dictionary(scheduledRuns.map { ($0[0] ?? "", $0[1] ?? "") }, uniquingKeysWith: { $1 })
        #expect(Set(lastOfEach.keys) == Set(tasks) && lastOfEach.values.allSatisfy { $0 == "succeeded" }
                && scheduledRuns.allSatisfy { $0[1] == "succeeded" || retriedTasks.contains($0[0] ?? "") }, "\(scheduledRuns)")
        let history = try streamHistory(connection, Self.pipeline)
        #expect(history.filter { !rerun.contains($0[0] ?? "") } == expectedStreams.filter { !rerun.contains($0[0] ?? "") },
                "\(history) against one run's \(expectedStreams) (tasks Airflow ran again: \(rerun.sorted()))")
        #expect(history.map { $0[0] } == expectedStreams.map { $0[0] })

        // 3. MongoDB killed while the sales stream reads; started again once that try has failed: Airflow's retry finishes.
        try dropSchemas(connection)
        let faultRun = "energize_fault_\(UUID().uuidString.prefix(8))"
        let fault = FaultProgress()
        let pgURI = try LiveServers.pgURI()
        let retried = try airflow.run(["local-run", dag, "--run-id", faultRun, "--timeout", "600"]) {
            guard let watcher = try? PGConnection(pgURI) else { return }
            defer { watcher.close() }
            if Self.poll(watcher, "SELECT 1 FROM pg_stat_activity WHERE application_name = $1", ["energize \(Self.pipeline) stream sales"]) {
                mongo.kill()
                fault.killed = true
            }
            _ = Self.poll(watcher, "SELECT 1 FROM \(Self.pipeline)_meta.runs WHERE origin = $1 AND status <> 'running'",
                          ["airflow \(dag) \(faultRun) load_sales try 1"])
            fault.restarted = (try? mongo.start()) != nil
        }
        let (killed, restarted) = (fault.killed, fault.restarted)
        #expect(killed && restarted, "the fault did not land: killed \(killed), restarted \(restarted)")
        #expect(retried["error"] == nil && retried["state"] as? String == "success", "run with a fault: \(retried)")
        let sales = try airflowRuns(connection).filter { $0.origin.hasPrefix("airflow \(dag) \(faultRun) load_sales ") }
        #expect(sales.first.map { $0 == ("airflow \(dag) \(faultRun) load_sales try 1", "failed") } == true, "\(sales)")
        #expect(sales.last.map { $0.status == "succeeded" && $0.origin != sales.first?.origin } == true, "\(sales)")
        try expectContents(connection, expected)
        #expect(try streamHistory(connection, Self.pipeline).map { $0[0] } == expectedStreams.map { $0[0] })
        let status = try EnergizeBinary.run(["status", "--limit", "20"], in: folder.appendingPathComponent(Self.pipeline))
        #expect(status.output.contains("(airflow \(dag) \(faultRun) load_sales try 1)"), "\(status.output)")
        let salesBefore = try connection.execute("SELECT count(*), count(DISTINCT sale_id) FROM \(Self.pipeline)_raw.sales").rows
        #expect(salesBefore.first?[0] == salesBefore.first?[1], "duplicate sales after the retry")

        // 4. A finished task cleared and run again (with what follows it): the warehouse does not change.
        let before = try contents(connection, Self.pipeline)
        let cleared = try airflow.run(["clear-and-run", dag, faultRun, "load_sales", "--downstream", "--timeout", "600"])
        #expect(cleared["error"] == nil && cleared["state"] as? String == "success", "clear and run: \(cleared)")
        #expect(try contents(connection, Self.pipeline) == before)
        try expectContents(connection, expected)
    }
}
