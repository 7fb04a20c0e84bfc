import EnergizeCore
import Foundation

/// Runs a graph of models inside the database: each model as soon as the models it reads have
/// finished, several at a time (each on a connection and thread of its own), stopping the downstream of a
/// failed model, and records every model's status, duration and rows in the meta schema.
public struct TransformRunner: Sendable {
    /// The models, ordered by their dependencies.
    public var graph: ModelGraph
    /// Where builds, model state and test results are recorded.
    public var meta: WarehouseMeta
    /// Opens a new connection to the warehouse (called once per concurrently running model).
    public var connect: @Sendable () throws -> any SQLExecutor
    /// Models run at the same time.
    public var concurrency: Int

    /// A runner of `graph`'s models.
    /// - Parameters:
    ///   - graph: the models.
    ///   - meta: where builds and model state are recorded (default: `energize_meta`).
    ///   - concurrency: models built at the same time (at least 1); each starts once the models it reads are built.
    ///   - connect: opens a new connection to the warehouse; the runner closes each one after use.
    public init(graph: ModelGraph, meta: WarehouseMeta = WarehouseMeta(), concurrency: Int = 2,
                connect: @escaping @Sendable () throws -> any SQLExecutor) {
        self.graph = graph
        self.meta = meta
        self.concurrency = max(1, concurrency)
        self.connect = connect
    }

    /// Runs the selected models.
    /// - Parameters:
    ///   - run: the run's id and start (SCD2 dimensions close deleted keys at the start).
    ///   - selection: which models; all when empty.
    ///   - fullRefresh: rebuild incremental models from scratch.
    ///   - stop: when requested, the statements running are cancelled (their models roll back)
    ///     and no other model starts; those models are reported `stopped`.
    ///   - followUp: work to do once a model has finished (recording a listing's rejects, say), or nil;
    ///     it is given a connection of its own. It runs in the same pool of `concurrency` threads,
    ///     after the models ready then (it has no model downstream to hold up). A stop cancels its
    ///     statement and starts no other; its error then is not thrown (the work was not done: do it
    ///     in a later run).
    ///   - onModel: called as each model finishes.
    /// - Throws: when the selection names an unknown model or the history cannot be written; else,
    ///   once everything started has finished, the first follow-up's error.
    public func run(_ run: RunContext, selection: ModelSelection = ModelSelection([]), fullRefresh: Bool = false,
                    stop: StopRequest = StopRequest(),
                    followUp: @escaping @Sendable (ModelReport) -> (@Sendable (any SQLExecutor) throws -> Void)? = { _ in nil },
                    onModel: @escaping @Sendable (ModelReport) -> Void = { _ in }) async throws -> TransformReport {
        let started = ContinuousClock.now
        let selected = try selection.resolve(in: graph)
        try await onOwnThread { [meta, connect, graph] in
            let executor = try connect()
            defer { executor.close() }
            try meta.create(executor)
            // Schemas first, one at a time: concurrent CREATE SCHEMA IF NOT EXISTS can collide.
            try executor.inTransaction {
                try executor.run("SELECT pg_advisory_xact_lock(hashtext('energize ddl'))", [])
                for schema in Set(selected.compactMap { graph.models[$0]?.schema }).sorted() {
                    try executor.run("CREATE SCHEMA IF NOT EXISTS \(SQLIdentifier.quote(schema))", [])
                }
            }
            // Dimensions built before energize kept their ranges, and not rebuilt before their readers
            // start. One that cannot be given them (its table is not a dimension's any more) fails
            // in its own build, or its readers in theirs, not every model of the run.
            for model in graph.order.compactMap(graph.model) {
                if let dimension = model.materialization as? SCD2Dimension {
                    try? dimension.ranges(schema: model.schema, name: model.name).createIfMissing(executor)
                }
            }
        }
        let runStart = CivilTime(millisecondsSinceEpoch: run.startedAt).postgresText
        let running = RunningExecutors()
        let canceller = Task.detached {
            while !Task.isCancelled {
                if stop.isRequested { running.cancelAll(); return }
                try? await Task.sleep(nanoseconds: 200_000_000)
            }
        }
        defer { canceller.cancel() }
        // Each model starts as soon as the models it reads have finished (not level by level), up to
        // `concurrency` at a time; among the ready ones, those with the longest chain downstream first;
        // follow-ups when no model is ready.
        var followUpError: (any Error)?
        let reports = try await withThrowingTaskGroup(of: Finished.self) { group in
            var reports: [String: ModelReport] = [:]
            var followUps: [@Sendable (any SQLExecutor) throws -> Void] = []
            let priority = criticalPaths(graph)
            var waiting = graph.order.filter(selected.contains).enumerated()
                .sorted { (priority[$0.element] ?? 0, -$0.offset) > (priority[$1.element] ?? 0, -$1.offset) }.map(\.element)
            var active = 0
            while true {
                var index = 0
                while index < waiting.count {
                    let model = graph.models[waiting[index]]!
                    let failedUpstream = model.dependencies.first { reports[$0].map { !$0.status.isCurrent } ?? false }
                    let pending = model.dependencies.contains { selected.contains($0) && reports[$0] == nil }
                    var report: ModelReport?
                    if stop.isRequested {
                        report = ModelReport(model: model.name, materialization: model.materializationName, status: .stopped,
                                             rows: nil, durationSeconds: 0, error: "not built: the run was asked to stop")
                    } else if let failedUpstream {
                        report = ModelReport(model: model.name, materialization: model.materializationName, status: .skipped,
                                             rows: nil, durationSeconds: 0, error: "upstream model \(failedUpstream) did not succeed")
                    } else if !pending, active < concurrency {
                        group.addTask { .model(await build(model, runId: run.runId, runStart: runStart, fullRefresh: fullRefresh, stop: stop, running: running)) }
                        active += 1
                    } else {
                        index += 1
                        continue
                    }
                    waiting.remove(at: index)
                    if let report {
                        reports[report.model] = report
                        try await record(report, runId: run.runId)
                        onModel(report)
                    }
                }
                while active < concurrency, !followUps.isEmpty, !stop.isRequested {
                    let work = followUps.removeFirst()
                    group.addTask { [connect] in
                        do {
                            try await onOwnThread { try running.withConnection(connect, work) }
                        } catch {
                            return .followUp(error)
                        }
                        return .followUp(nil)
                    }
                    active += 1
                }
                guard active > 0, let finished = try await group.next() else { break }
                active -= 1
                switch finished {
                case .model(let report):
                    reports[report.model] = report
                    try await record(report, runId: run.runId)
                    onModel(report)
                    if let work = followUp(report) { followUps.append(work) }
                case .followUp(let error):
                    if followUpError == nil, !stop.isRequested { followUpError = error }
                }
            }
            return reports
        }
        try await onOwnThread { [graph, meta, connect] in
            let executor = try connect()
            defer { executor.close() }
            try pruneChangeLogs(graph, executor, meta, runId: run.runId)
        }
        if let followUpError { throw followUpError }
        let ordered = graph.order.compactMap { reports[$0] }
        return TransformReport(runId: run.runId, models: ordered, durationSeconds: started.duration(to: .now).seconds)
    }

    /// Deletes from each change log the changes all its readers have consumed, and creates the
    /// logs that are missing though their model's table exists (readers back in the project).
    private func pruneChangeLogs(_ graph: ModelGraph, _ executor: any SQLExecutor, _ meta: WarehouseMeta, runId: Int64) throws {
        let models = graph.order.compactMap(graph.model)
        for model in models where (model.materialization as? Incremental)?.logsChanges == true {
            let log = ChangeLog(schema: model.schema, model: model.name)
            try log.createIfMissing(executor, runId: runId)
            try log.prune(executor, readers: models.filter { $0.changeLogs.contains(log) }.map(\.name), meta: meta)
        }
    }

    /// For each model, the number of models on the longest chain of models that read it, directly or not.
    private func criticalPaths(_ graph: ModelGraph) -> [String: Int] {
        var readers: [String: [String]] = [:]
        for model in graph.models.values {
            for dependency in model.dependencies { readers[dependency, default: []].append(model.name) }
        }
        var lengths: [String: Int] = [:]
        for name in graph.order.reversed() {
            lengths[name] = (readers[name] ?? []).map { (lengths[$0] ?? 0) + 1 }.max() ?? 0
        }
        return lengths
    }

    /// Builds one model on a connection and thread of its own.
    private func build(_ model: any Transform, runId: Int64, runStart: String, fullRefresh: Bool,
                       stop: StopRequest, running: RunningExecutors) async -> ModelReport {
        await onOwnThread { [meta, connect, graph] in
            let started = ContinuousClock.now
            if stop.isRequested {
                return ModelReport(model: model.name, materialization: model.materializationName, status: .stopped,
                                   rows: nil, durationSeconds: 0, error: "not built: the run was asked to stop")
            }
            do {
                return try running.withConnection(connect) { executor in
                    // What its last build saw: read once, for its plan's context and for whether it can be kept.
                    let state = try meta.buildState(executor, model: model.name)
                    var context = try PlanContext.current(for: model, on: executor, meta: meta, runId: runId, runStartedAt: runStart,
                                                          fullRefresh: fullRefresh, lastRunId: state?.runId ?? 0)
                    var build = PlanExecution.Build(relation: TableName(schema: model.schema, name: model.name), fingerprint: nil,
                                                    inputsVersion: nil, definitionChanged: true)
                    if let model = model as? Model {
                        // Left as it is when its definition and what it reads are those its last build saw.
                        let versions = try InputVersions(graph: graph, on: executor, meta: meta)
                        build.fingerprint = Fingerprint.of(model.definition)
                        build.inputsVersion = versions.inputsVersion(of: model.sql, models: model.dependencies, sources: model.sources, on: executor)
                        build.definitionChanged = state?.fingerprint != build.fingerprint
                        context.definitionChanged = build.definitionChanged
                        if model.isUnchanged(since: state, context: context, fingerprint: build.fingerprint!, inputsVersion: build.inputsVersion) {
                            return ModelReport(model: model.name, materialization: model.materializationName, status: .unchanged,
                                               rows: nil, durationSeconds: started.duration(to: .now).seconds)
                        }
                    }
                    let rows = try PlanExecution(executor: executor, meta: meta, runId: runId, build: build).run(try model.plan(context))
                    return ModelReport(model: model.name, materialization: model.materializationName, status: .succeeded,
                                       rows: rows, durationSeconds: started.duration(to: .now).seconds)
                }
            } catch {
                let stopped = stop.isRequested
                return ModelReport(model: model.name, materialization: model.materializationName,
                                   status: stopped ? .stopped : .failed, rows: nil,
                                   durationSeconds: started.duration(to: .now).seconds,
                                   error: stopped ? "stopped: its statement was cancelled on request and rolled back"
                                                  : "model \(model.name): \(error)")
            }
        }
    }

    private func record(_ report: ModelReport, runId: Int64) async throws {
        try await onOwnThread { [meta, connect] in
            let executor = try connect()
            defer { executor.close() }
            try meta.recordModel(executor, runId: runId, report)
        }
    }
}

/// What finished in a transform's pool: a model, or a follow-up with its error if it failed.
private enum Finished: Sendable {
    case model(ModelReport)
    case followUp((any Error)?)
}

/// The executors of the models building now, so a stop can cancel their statements.
final class RunningExecutors: @unchecked Sendable {
    // @unchecked Sendable: `executors` is only touched under `lock`; `cancel()` is thread-safe
    // by the `SQLExecutor` contract.
    private let lock = NSLock()
    private var executors: [Int: any SQLExecutor] = [:]
    private var next = 0

    func add(_ executor: any SQLExecutor) -> Int {
        lock.withLock {
            next += 1
            executors[next] = executor
            return next
        }
    }

    func remove(_ registration: Int) {
        _ = lock.withLock { executors.removeValue(forKey: registration) }
    }

    func cancelAll() {
        lock.withLock { executors.values.forEach { $0.cancel() } }
    }

    /// Runs `body` on a new connection that a stop can cancel, closed after it.
    /// - Parameters:
    ///   - connect: opens the connection.
    ///   - body: the work; it runs its statements on the connection.
    /// - Returns: what `body` returns.
    /// - Throws: the error of `connect` or `body`.
    func withConnection<T>(_ connect: () throws -> any SQLExecutor, _ body: (any SQLExecutor) throws -> T) throws -> T {
        let executor = try connect()
        let registration = add(executor)
        defer {
            remove(registration)
            executor.close()
        }
        return try body(executor)
    }
}
