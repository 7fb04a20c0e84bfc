/// How one model of a transform run ended.
public struct ModelReport: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable { case succeeded, failed, skipped }

    public var model: String
    public var materialization: String
    public var status: Status
    /// Rows the model inserted or changed (nil for views).
    public var rows: Int?
    public var durationSeconds: Double
    /// Why it failed or was skipped.
    public var error: String?

    /// Creates a `ModelReport` from its parts.
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
    public var runId: Int64
    public var models: [ModelReport]
    public var durationSeconds: Double

    /// Creates a `TransformReport` from its parts.
    public init(runId: Int64, models: [ModelReport], durationSeconds: Double) {
        self.runId = runId
        self.models = models
        self.durationSeconds = durationSeconds
    }

    /// Whether every model succeeded.
    public var succeeded: Bool { models.allSatisfy { $0.status == .succeeded } }
}

/// Which models a transform runs, as `--select` spells it: `name`, `+name` (with everything
/// it depends on), `name+` (with everything that depends on it), `+name+`.
public struct ModelSelection: Sendable, Hashable {
    public var terms: [String]

    /// Creates a `ModelSelection` from its parts.
    public init(_ terms: [String]) {
        self.terms = terms
    }

    /// The selected model names, or the error for an unknown name.
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
