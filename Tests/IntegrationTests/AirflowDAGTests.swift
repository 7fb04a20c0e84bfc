import EnergizeCLI
import EnergizeCore
import Foundation
import Testing

/// The DAG `energize airflow-dag` writes loads in real Apache Airflow with the expected tasks,
/// dependencies, retries and schedule, and its tasks map energize's exit statuses. `make test`
/// installs Airflow (scripts/airflow-venv.sh).
@Suite(.enabled(if: LiveServers.enabled)) struct AirflowDAGTests {
    /// Writes `dag` into a DAG folder, loads it with Airflow's DagBag (scripts/airflow_dag_check.py)
    /// and returns what the script reports of it.
    func loadInAirflow(_ dag: AirflowDAG, environment extra: [String: String] = [:]) throws -> [String: Any] {
        guard let python = ProcessInfo.processInfo.environment["ENERGIZE_AIRFLOW_PYTHON"], !python.isEmpty else {
            throw LiveServers.Missing(description: "ENERGIZE_AIRFLOW_PYTHON is not set: run the tests with `make test`, which installs Apache Airflow")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("energize-dag-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("home"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("dags"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try dag.python.write(to: folder.appendingPathComponent("dags/" + dag.dagId + ".py"), atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [EnergizeTechProject.repository.appendingPathComponent("scripts/airflow_dag_check.py").path,
                             folder.appendingPathComponent("dags").path]
        var environment = ProcessInfo.processInfo.environment
        environment["AIRFLOW_HOME"] = folder.appendingPathComponent("home").path
        environment.merge(extra) { _, new in new }
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        let line = try #require(text.split(separator: "\n").last, "no output from Airflow")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(text)")
        let errors = result["errors"] as? [String: Any]
        #expect(errors?.isEmpty == true, "\(String(describing: errors))")
        return try #require((result["dags"] as? [String: Any])?[dag.dagId] as? [String: Any], "\(text)")
    }

    @Test func theGeneratedDAGLoadsInAirflow() throws {
        var config = try ConfigReader(file: "dag.yml", environment: [:]).parse("""
            pipeline: fleet ops
            description: Vehicles and their readings, for the fleet's "ops" team.
            schedule: {cron: "15 */2 * * 1-5"}
            retries: {attempts: 4, initial_delay: 30s, max_delay: 20m}
            streams:
              - {name: vehicles}
              - {name: "readings 2024", strategy: incremental, key: id, cursor: at, lookback: 2h}
            """)
        config.pgURI = nil
        var dag = AirflowDAG(config: config, executable: "/opt/energize/bin/energize", configFile: "/etc/energize/it's.yml")
        dag.models = [("stg_readings", "Readings, typed."), ("fact_trips", nil)]
        let loaded = try loadInAirflow(dag)
        let tasks = try #require(loaded["tasks"] as? [String: [String]])
        #expect(tasks == ["load_vehicles": [], "load_readings_2024": [],
                          "transform": ["load_readings_2024", "load_vehicles"], "test": ["transform"]])
        #expect((loaded["retries"] as? [String: Int])?.values.allSatisfy { $0 == 4 } == true)
        #expect((loaded["schedule"] as? String) == "15 */2 * * 1-5")
        let commands = try #require(loaded["commands"] as? [String: String])
        #expect(commands["load_readings_2024"] == "/opt/energize/bin/energize run --config '/etc/energize/it'\"'\"'s.yml' --streams 'readings 2024' --retries 0")
        #expect(commands["test"] == "/opt/energize/bin/energize test --config '/etc/energize/it'\"'\"'s.yml'")
        #expect((loaded["timeouts"] as? [String: Double])?.values.allSatisfy { $0 == 21_600 } == true, "\(String(describing: loaded["timeouts"]))")
        // Conventions: a pool for every task, tags, one active run, no catch-up, documentation from the project.
        #expect((loaded["pools"] as? [String: String])?.values.allSatisfy { $0 == "energize_postgres" } == true, "\(String(describing: loaded["pools"]))")
        #expect(loaded["tags"] as? [String] == ["energize", "fleet ops"])
        #expect(loaded["catchup"] as? Bool == false && loaded["max_active_runs"] as? Int == 1)
        #expect(loaded["description"] as? String == "Vehicles and their readings, for the fleet's \"ops\" team.")
        let doc = try #require(loaded["doc_md"] as? String)
        #expect(doc.contains("Vehicles and their readings") && doc.contains("`load_readings_2024` | loads `readings 2024`: incremental(at, key id, look-back 2h)"), "\(doc)")
        let docs = try #require(loaded["docs"] as? [String: String])
        #expect(docs["transform"] == "Builds the project's models inside PostgreSQL (models whose inputs did not change are left as they are):\n\n- `stg_readings`: Readings, typed.\n- `fact_trips`")
        #expect(docs["load_vehicles"]?.hasPrefix("Extract-load of the collection `vehicles` into its raw table: replace.") == true, "\(docs)")
        dag.catchup = true
        dag.pool = "warehouse"
        let changed = try loadInAirflow(dag)
        #expect(changed["catchup"] as? Bool == true)
        #expect((changed["pools"] as? [String: String])?.values.allSatisfy { $0 == "warehouse" } == true)
    }

    /// The DAG's tasks map energize's exit statuses: 0 succeeds; 2–5 (configuration, rejects,
    /// data tests, lock) fail without a retry; 1 and 6 fail and are retried.
    @Test func exitStatusesARetryCannotFixAreNotRetried() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("energize-dag-stub-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let stub = folder.appendingPathComponent("energize-stub")
        try "#!/bin/sh\necho \"stub $*\"\nexit \"$STUB_EXIT\"\n".write(to: stub, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: stub.path)
        var config = try ConfigReader(file: "dag.yml", environment: [:]).parse("pipeline: stubbed\nstreams: [{name: a}]")
        config.pgURI = nil
        let loaded = try loadInAirflow(AirflowDAG(config: config, executable: stub.path, configFile: "/etc/energize/energize.yml"),
                                       environment: ["ENERGIZE_DAG_STUB": "1"])
        #expect(loaded["outcomes"] as? [String: String] == [
            "0": "success", "1": "AirflowException", "2": "AirflowFailException", "3": "AirflowFailException",
            "4": "AirflowFailException", "5": "AirflowFailException", "6": "AirflowException"], "\(loaded)")
    }
}
