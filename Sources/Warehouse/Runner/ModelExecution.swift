import EnergizeCore

/// Builds one model on one executor, by its materialization.
struct ModelExecution {
    let model: Model
    let executor: any SQLExecutor
    let meta: WarehouseMeta
    let runId: Int64
    /// The run's start as `timestamptz` text.
    let runStart: String
    let fullRefresh: Bool

    /// Runs the model; returns the rows it inserted or changed (nil for a view).
    func run() throws -> Int? {
        switch model.materialization {
        case .view:
            try buildView()
            return nil
        case .table:
            return try buildTable()
        case .incremental(let config):
            let exists = try relationExists()
            if fullRefresh || !exists { return try buildTable(recordingState: true) }
            return try updateIncrementally(config)
        case .scd2(let dimension):
            return try maintain(create: dimension.createStatements(table: model.relation, source: model.sql),
                                setup: dimension.setupStatements(table: model.relation, name: model.name),
                                statements: dimension.runStatements(table: model.relation, source: model.sql))
        case .type1(let dimension):
            return try maintain(create: dimension.createStatements(table: model.relation, source: model.sql),
                                setup: dimension.setupStatements(table: model.relation, name: model.name),
                                statements: dimension.runStatements(table: model.relation, source: model.sql))
        }
    }

    private func relationExists() throws -> Bool {
        try executor.scalar("SELECT to_regclass($1) IS NOT NULL", [model.relation]) == "t"
    }

    private func buildView() throws {
        do {
            try executor.run("CREATE OR REPLACE VIEW \(model.relation) AS \(model.sql)", [])
        } catch {
            // Columns changed: a view cannot be replaced then, only dropped and made again.
            try executor.inTransaction {
                try executor.run("DROP VIEW IF EXISTS \(model.relation)", [])
                try executor.run("CREATE VIEW \(model.relation) AS \(model.sql)", [])
            }
        }
    }

    /// Builds the table in a new relation and swaps it in, in one transaction.
    private func buildTable(recordingState: Bool = false) throws -> Int {
        let fresh = Quoting.qualified(model.schema, model.name + "__energize_new")
        return try executor.inTransaction {
            try executor.run("DROP TABLE IF EXISTS \(fresh)", [])
            try executor.run("CREATE TABLE \(fresh) AS \(model.sql)", [])
            let rows = Int(try executor.scalar("SELECT count(*) FROM \(fresh)") ?? "0") ?? 0
            let dependents = try executor.scalar("""
                SELECT count(*) FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
                WHERE d.refobjid = to_regclass($1) AND r.ev_class <> d.refobjid
                """, [model.relation])
            if try relationExists(), dependents != "0" {
                // Views read this table: keep its identity, swap its content.
                try executor.run("TRUNCATE \(model.relation)", [])
                try executor.run("INSERT INTO \(model.relation) SELECT * FROM \(fresh)", [])
                try executor.run("DROP TABLE \(fresh)", [])
            } else {
                try executor.run("DROP TABLE IF EXISTS \(model.relation)", [])
                try executor.run("ALTER TABLE \(fresh) RENAME TO \(Quoting.quote(model.name))", [])
            }
            if recordingState { try meta.recordState(executor, model: model.name, runId: runId) }
            return rows
        }
    }

    private func updateIncrementally(_ config: IncrementalConfig) throws -> Int {
        let previous = try meta.lastRun(executor, model: model.name)
        let scope = Quoting.list(config.scope)
        return try executor.inTransaction {
            try executor.run("CREATE TEMP TABLE energize_scope ON COMMIT DROP AS \(config.changedScopes)",
                             Self.parameters(for: config.changedScopes, [String(previous), String(runId)]))
            try executor.run("DELETE FROM \(model.relation) WHERE (\(scope)) IN (SELECT \(scope) FROM energize_scope)", [])
            let inserted = try executor.run("""
                WITH inserted AS (INSERT INTO \(model.relation) SELECT m.* FROM (\(model.sql)) m
                WHERE (\(Quoting.list(config.scope, alias: "m"))) IN (SELECT \(scope) FROM energize_scope) RETURNING 1)
                SELECT count(*) FROM inserted
                """, [])
            try meta.recordState(executor, model: model.name, runId: runId)
            return Int(inserted.first?.first.flatMap { $0 } ?? "0") ?? 0
        }
    }

    private func maintain(create: [String], setup: [String], statements: [String]) throws -> Int {
        try executor.inTransaction {
            let existed = try relationExists()
            for statement in create { try executor.run(statement, []) }
            if !existed { for statement in setup { try executor.run(statement, []) } }
            for statement in statements {
                try executor.run(statement, Self.parameters(for: statement, [runStart, String(runId)]))
            }
            try meta.recordState(executor, model: model.name, runId: runId)
            return Int(try executor.scalar("SELECT count(*) FROM \(model.relation) WHERE _changed_run = $1", [String(runId)]) ?? "0") ?? 0
        }
    }

    /// The leading parameters a statement refers to (`$1`, `$2`, …): PostgreSQL refuses more.
    static func parameters(for sql: String, _ all: [String?]) -> [String?] {
        let used = (1...max(all.count, 1)).filter { sql.contains("$\($0)") }.max() ?? 0
        return Array(all.prefix(used))
    }
}
