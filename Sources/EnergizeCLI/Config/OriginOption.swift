import ArgumentParser

/// `--origin`: who started a run, kept in the run history (`runs.origin`, `energize status`).
struct OriginOption: ParsableArguments {
    @Option(help: ArgumentHelp("Who started this run, kept in the run history (e.g. an orchestrator's run, task and try).",
                               discussion: "The DAG that `energize airflow-dag` writes passes `airflow <dag> <run> <task> try <n>`."))
    var origin: String?

    /// Sets the configuration's origin when one was given.
    /// - Parameter config: the configuration the run uses.
    func apply(to config: inout EnergizeConfig) {
        if let origin, !origin.isEmpty { config.origin = origin }
    }
}
