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

    func run() throws {
        let config = try options.load()
        guard let timeout = ConfigReader.seconds(executionTimeout), timeout > 0 else {
            throw ValidationError("--execution-timeout: expected a duration like 90m or 6h; got `\(executionTimeout)`")
        }
        if options.mongoURI != nil || options.pgURI != nil {
            print("note: connection strings are never written into the DAG: give the workers ENERGIZE_MONGO_URI and ENERGIZE_PG_URI (or put them in \(workerConfig ?? config.file))")
        }
        let dag = AirflowDAG(config: config, executable: executable,
                             configFile: workerConfig ?? config.file, executionTimeout: timeout)
        let path = output ?? dag.dagId + ".py"
        try dag.python.write(toFile: path, atomically: true, encoding: .utf8)
        print("wrote \(path): DAG \(dag.dagId) with \(config.streams.count) load tasks, transform, test")
    }
}
