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

    /// A selection of models, in dbt's graph syntax: each term selects `name`; `+name` adds what
    /// it depends on, `name+` what depends on it, `2+name` / `name+1` only that many steps;
    /// `@name` adds what depends on it and everything those depend on (all a rebuild of it needs).
    /// Terms separated by spaces in one value add up, as repeated `--select`s do.
    /// - Parameter terms: the terms; none selects every model.
    public init(_ terms: [String]) {
        self.terms = terms
    }

    /// The selected model names, or the error for an unknown name.
    /// - Parameter graph: the models to select from.
    /// - Throws: `ModelGraph.Invalid` naming a term's model that is not in `graph`.
    public func resolve(in graph: ModelGraph) throws -> Set<String> {
        guard !terms.isEmpty else { return Set(graph.models.keys) }
        let split = terms.flatMap { $0.split(whereSeparator: \.isWhitespace).map(String.init) }
        guard !split.isEmpty else {
            throw ModelGraph.Invalid(description: "--select names no model; models: \(graph.order.joined(separator: ", "))")
        }
        var selected = Set<String>()
        for term in split {
            var rest = Substring(term)
            let everything = rest.hasPrefix("@")
            if everything { rest = rest.dropFirst() }
            // `n+name`: n steps up (all when n is left out); `name+n`: n steps down.
            var up: Int?, down: Int?
            if let plus = rest.firstIndex(of: "+"), rest[..<plus].allSatisfy(\.isASCIIDigit) {
                up = rest[..<plus].isEmpty ? .max : Int(rest[..<plus]) ?? .max
                rest = rest[rest.index(after: plus)...]
            }
            if let plus = rest.lastIndex(of: "+"), rest[rest.index(after: plus)...].allSatisfy(\.isASCIIDigit), plus != rest.startIndex {
                let after = rest[rest.index(after: plus)...]
                down = after.isEmpty ? .max : Int(after) ?? .max
                rest = rest[..<plus]
            }
            let name = String(rest)
            guard graph.models[name] != nil, !(everything && (up != nil || down != nil)) else {
                throw ModelGraph.Invalid(description: graph.models[name] == nil
                    ? "--select names \(name), which is not a model; models: \(graph.order.joined(separator: ", "))"
                    : "--select \(term): expected name, +name, name+, 2+name, name+1 or @name")
            }
            selected.insert(name)
            if let up { selected.formUnion(graph.upstream(of: name, depth: up)) }
            if let down { selected.formUnion(graph.downstream(of: name, depth: down)) }
            if everything {
                for model in graph.downstream(of: name) { selected.formUnion(graph.upstream(of: model)) }
            }
        }
        return selected
    }
}

private extension Character {
    /// 0 to 9 (`isNumber` also takes ½ and ²).
    var isASCIIDigit: Bool { isASCII && isNumber }
}
