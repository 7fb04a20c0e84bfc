import ArgumentParser
import Foundation

/// `energize airflow-dag`: writes an Apache Airflow DAG for the configured pipeline.
struct AirflowDAGCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "airflow-dag",
        abstract: "Write an Apache Airflow DAG: one task per stream, then transform, then tests, with the schedule and retries of energize.yml.",
        discussion: ExitStatus.help)

    @OptionGroup var options: ConfigOptions

    @Option(help: "Where to write the DAG file (default: energize_<pipeline>.py).")
    var output: String?

    @Option(help: "The energize executable on the Airflow workers.")
    var executable = "energize"

    @Option(help: "The configuration file on the Airflow workers (default: the absolute path of the one read here).")
    var workerConfig: String?

    @Option(help: "How long one task may run before Airflow stops it (e.g. 6h, 90m).")
    var executionTimeout = "6h"

    @Option(help: "The Airflow pool every task runs in (its slots bound the work sent to PostgreSQL at once).")
    var pool = "energize_postgres"

    @Option(name: .customLong("postgres-conn-id"), help: "The Airflow Connection whose URI the tasks use as ENERGIZE_PG_URI, when it is defined.")
    var postgresConnection = "energize_postgres"

    @Option(name: .customLong("mongo-conn-id"), help: "The Airflow Connection whose URI the tasks use as ENERGIZE_MONGO_URI, when it is defined.")
    var mongoConnection = "energize_mongo"

    @Flag(help: "Let Airflow run the intervals missed since the DAG's start date (catchup=True).")
    var catchup = false

    func run() throws {
        let config = try options.load()
        guard let timeout = ConfigReader.seconds(executionTimeout), timeout > 0 else {
            throw ValidationError("--execution-timeout: expected a duration like 90m or 6h; got `\(executionTimeout)`")
        }
        if options.mongoURI != nil || options.pgURI != nil {
            print("note: connection strings are never written into the DAG: give the workers ENERGIZE_MONGO_URI and ENERGIZE_PG_URI (or put them in \(workerConfig ?? config.file))")
        }
        var dag = AirflowDAG(config: config, executable: executable,
                             configFile: workerConfig ?? config.file, executionTimeout: timeout)
        // The models' descriptions document the transform task (compiled from the files alone).
        if config.transform {
            let graph = try ProjectModels(config: config, rawColumns: nil).graph
            dag.models = graph.order.map { name in (name, (graph.model(name)?.description).flatMap { $0 }) }
        }
        dag.pool = pool
        dag.postgresConnection = postgresConnection
        dag.mongoConnection = mongoConnection
        dag.catchup = catchup
        let path = output ?? dag.dagId + ".py"
        // `--output dags/x.py` into a folder not made yet makes it, as a user writing a DAG folder expects.
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        try dag.python.write(toFile: path, atomically: true, encoding: .utf8)
        print("wrote \(path): DAG \(dag.dagId) with \(config.streams.count) load tasks, transform, test")
        print("its tasks run in the Airflow pool \(pool): create it once with `airflow pools set \(pool) \(max(2, config.concurrency)) \"energize: PostgreSQL-heavy tasks\"`")
    }
}
