import ArgumentParser
import Warehouse

/// `--select`: which models a command works on.
struct SelectionOptions: ParsableArguments {
    @Option(name: .customLong("select"),
            help: "Models, as in dbt: name, +name (with what it depends on), name+ (with what depends on it), 2+name / name+1 (that many steps), @name. Space-separated or repeated.")
    var select: [String] = []

    /// The selected models of `graph` (all when none is named).
    /// - Throws: when a term names no model.
    func resolve(in graph: ModelGraph) throws -> Set<String> {
        try ModelSelection(select).resolve(in: graph)
    }
}
