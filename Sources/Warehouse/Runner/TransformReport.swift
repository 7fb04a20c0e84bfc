/// How one model of a transform run ended.
public struct ModelReport: Sendable, Hashable {
    /// How a model's build ended.
    public enum Status: String, Sendable, Hashable {
        /// Its plan ran to the end.
        case succeeded
        /// Planning failed or a statement of its plan failed; `error` says why.
        case failed
        /// Not built: a model it depends on did not succeed.
        case skipped
        /// Not built, or cancelled and rolled back, because the run was asked to stop.
        case stopped
        /// Left as its last build made it: its definition is the same and nothing it reads
        /// changed since (see `ChangeMarks` (EnergizeCore)). As good as built for what reads it.
        case unchanged

        /// Whether the model is as its inputs make it now (built or unchanged).
        public var isCurrent: Bool { self == .succeeded || self == .unchanged }
    }

    /// The model's name.
    public var model: String
    /// Its materialization's name (`view`, `table`, …).
    public var materialization: String
    /// How its build ended.
    public var status: Status
    /// Rows the model inserted or changed (nil for views).
    public var rows: Int?
    /// How long the build took, in seconds.
    public var durationSeconds: Double
    /// Why it failed or was skipped.
    public var error: String?

    /// The report of one model's build.
    /// - Parameters:
    ///   - model: the model's name.
    ///   - materialization: its materialization's name.
    ///   - status: how the build ended.
    ///   - rows: rows it inserted or changed; nil when its plan counts none (a view).
    ///   - durationSeconds: how long it took.
    ///   - error: why it failed or was skipped.
    public init(model: String, materialization: String, status: Status, rows: Int?, durationSeconds: Double, error: String? = nil) {
        self.model = model
        self.materialization = materialization
        self.status = status
        self.rows = rows
        self.durationSeconds = durationSeconds
        self.error = error
    }
}

/// How a transform run ended: one report per selected model, in run order.
public struct TransformReport: Sendable, Hashable {
    /// The run the models were built in.
    public var runId: Int64
    /// One report per selected model, dependencies first.
    public var models: [ModelReport]
    /// How long the transform took, in seconds.
    public var durationSeconds: Double

    /// The report of a transform run.
    /// - Parameters:
    ///   - runId: the run.
    ///   - models: how each model ended, in run order.
    ///   - durationSeconds: how long it took.
    public init(runId: Int64, models: [ModelReport], durationSeconds: Double) {
        self.runId = runId
        self.models = models
        self.durationSeconds = durationSeconds
    }

    /// Whether every model succeeded or was unchanged.
    public var succeeded: Bool { models.allSatisfy(\.status.isCurrent) }
}

/// Which models a transform runs, as `--select` spells it: `name`, `+name` (with everything
/// it depends on), `name+` (with everything that depends on it), `+name+`.
public struct ModelSelection: Sendable, Hashable {
    /// The terms, as given to `--select`; none selects every model.
    public var terms: [String]

    /// A selection of models.
    /// - Parameter terms: `name`, `+name`, `name+` or `+name+` each; none selects every model.
    public init(_ terms: [String]) {
        self.terms = terms
    }

    /// The selected model names, or the error for an unknown name.
    /// - Parameter graph: the models to select from.
    /// - Throws: `ModelGraph.Invalid` naming a term's model that is not in `graph`.
    public func resolve(in graph: ModelGraph) throws -> Set<String> {
        guard !terms.isEmpty else { return Set(graph.models.keys) }
        var selected = Set<String>()
        for term in terms {
            let upstream = term.hasPrefix("+"), downstream = term.hasSuffix("+") && term.count > 1
            let name = String(term.dropFirst(upstream ? 1 : 0).dropLast(downstream ? 1 : 0))
            guard graph.models[name] != nil else {
                throw ModelGraph.Invalid(description: "--select names \(name), which is not a model; models: \(graph.order.joined(separator: ", "))")
            }
            selected.insert(name)
            if upstream { selected.formUnion(graph.upstream(of: name)) }
            if downstream { selected.formUnion(graph.downstream(of: name)) }
        }
        return selected
    }
}
