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

    func run() throws {
        let config = try options.load()
        let dag = AirflowDAG(config: config, executable: executable,
                             configFile: workerConfig ?? config.file)
        let path = output ?? dag.dagId + ".py"
        try dag.python.write(toFile: path, atomically: true, encoding: .utf8)
        print("wrote \(path): DAG \(dag.dagId) with \(config.streams.count) load tasks, transform, test")
    }
}
