import EnergizeCore

/// Runs a plan on one connection: its steps in order (in one transaction when the plan says
/// so), the fallback of a step that fails, and, with the steps, the transform's state and its
/// change mark when the build changed its rows.
struct PlanExecution {
    /// What a build records beside its steps.
    struct Build {
        /// The transform's relation (marked when the build changed it).
        var relation: TableName
        /// Its definition's fingerprint (nil: a transform whose builds are never reused).
        var fingerprint: String?
        /// The largest version among its inputs when the build started (nil: unknown).
        var inputsVersion: Int64?
        /// Whether its definition differs from its last build's (its rows then count as changed).
        var definitionChanged: Bool
    }

    let executor: any SQLExecutor
    let meta: WarehouseMeta
    let runId: Int64
    /// What the build records; nil records only the state its plan asks for.
    var build: Build?

    /// Runs `plan`; returns the rows its counting step reported (nil when it has none, as for a view).
    func run(_ plan: Plan) throws -> Int? {
        plan.transactional ? try executor.inTransaction { try steps(plan) } : try steps(plan)
    }

    private func steps(_ plan: Plan) throws -> Int? {
        var rows: Int?
        for step in plan.steps {
            if step.rowCount == .written {
                rows = try executor.runCountingWrites(step.statement.text, step.statement.values)
                continue
            }
            let result = step.otherwise.isEmpty ? try execute(step.statement) : try attempt(step, inTransaction: plan.transactional)
            if let failure = step.failure, let row = result.first {
                throw PlanError(problem: "\(failure) (\(row.map { $0 ?? "NULL" }.joined(separator: ", ")))")
            }
            if step.rowCount == .returned { rows = Int(result.first?.first.flatMap { $0 } ?? "0") ?? 0 }
        }
        if let build {
            let changed: Bool
            switch plan.changes {
            case _ where build.definitionChanged: changed = true
            case .always: changed = true
            case .whenRowsCounted: changed = rows != 0
            case .when(let statement): changed = try execute(statement).first?.first == "t"
            }
            if changed { try meta.marks.mark(executor, schema: build.relation.schema, table: build.relation.name) }
        }
        if plan.recordsState || build?.fingerprint != nil {
            try meta.recordState(executor, model: plan.transform, runId: runId, fingerprint: build?.fingerprint,
                                 inputsVersion: build?.fingerprint == nil ? nil : build?.inputsVersion)
        }
        return rows
    }

    /// Runs a step's statement; when it fails, its fallback (inside a savepoint in a transaction).
    private func attempt(_ step: Plan.Step, inTransaction: Bool) throws -> [[String?]] {
        if inTransaction { try executor.run("SAVEPOINT energize_step", []) }
        do {
            let result = try execute(step.statement)
            if inTransaction { try executor.run("RELEASE SAVEPOINT energize_step", []) }
            return result
        } catch {
            if inTransaction { try executor.run("ROLLBACK TO SAVEPOINT energize_step", []) }
            for statement in step.otherwise { try execute(statement) }
            return []
        }
    }

    @discardableResult
    private func execute(_ statement: Statement) throws -> [[String?]] {
        try executor.run(statement.text, statement.values)
    }
}

extension PlanContext {
    /// The context of `transform` as the database holds it now: its relation's state, the run
    /// that last built it, whether a change log it reads was reset since, and for an incremental
    /// model, whether its `rebuild_when` query returns a row (and the columns an `add` run sums).
    /// - Parameters:
    ///   - transform: the transform to plan.
    ///   - executor: a connection to the warehouse.
    ///   - meta: where model state is kept.
    ///   - runId: this run's id.
    ///   - runStartedAt: when this run started, as `timestamptz` text.
    ///   - fullRefresh: whether incremental models rebuild from scratch.
    /// - Throws: when the catalog or the model state cannot be read.
    public static func current(for transform: any Transform, on executor: any SQLExecutor, meta: WarehouseMeta,
                               runId: Int64, runStartedAt: String, fullRefresh: Bool) throws -> PlanContext {
        let state = try meta.buildState(executor, model: transform.name)
        var context = try current(for: transform, on: executor, meta: meta, runId: runId, runStartedAt: runStartedAt,
                                  fullRefresh: fullRefresh, lastRunId: state?.runId ?? 0)
        // As the transform runner tells it (`PlanExecution.Build.definitionChanged`).
        if let model = transform as? Model { context.definitionChanged = state?.fingerprint != Fingerprint.of(model.definition) }
        return context
    }

    /// The same, for a runner that has read the transform's last run already.
    /// - Parameter lastRunId: the run that last built the transform, 0 before the first.
    static func current(for transform: any Transform, on executor: any SQLExecutor, meta: WarehouseMeta, runId: Int64,
                        runStartedAt: String, fullRefresh: Bool, lastRunId: Int64) throws -> PlanContext {
        let row = try executor.run("""
            SELECT c.relkind::text, EXISTS (SELECT 1 FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
                                             WHERE d.refobjid = c.oid AND r.ev_class <> c.oid)
            FROM pg_class c WHERE c.oid = to_regclass($1)
            """, [transform.relation]).first
        let relation: RelationState = switch row?[0] {
        case nil: .missing
        case "v"?: .view
        default: .table(readByViews: row?[1] == "t")
        }
        let reset = try ((transform as? Model)?.changeLogs ?? []).contains { try $0.isIncomplete(executor, since: lastRunId) }
        var context = PlanContext(runId: runId, runStartedAt: runStartedAt, lastRunId: lastRunId, fullRefresh: fullRefresh,
                                  relation: relation, changeLogsReset: reset)
        guard case .table = relation, let incremental = (transform as? Model)?.materialization as? Incremental else { return context }
        if case .add = incremental.strategy {
            context.columns = try executor.run("""
                SELECT attname::text FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped ORDER BY attnum
                """, [transform.relation]).compactMap { $0.first ?? nil }
        }
        // Asked only when the run would otherwise be incremental.
        if let rebuildWhen = incremental.rebuildWhen, !fullRefresh, !reset {
            let query = try ("SELECT EXISTS (" + rebuildWhen + ")").bound(context.values)
            context.rebuildWhenMet = try executor.run(query.text, query.values).first?.first == "t"
        }
        return context
    }
}
