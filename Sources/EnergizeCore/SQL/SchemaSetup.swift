/// The DDL that creates and upgrades energize's own tables (run history, model state, marks),
/// run only when something it creates is missing or its statements changed since they last ran.
///
/// `ALTER TABLE … ADD COLUMN IF NOT EXISTS` takes an ACCESS EXCLUSIVE lock even when the column
/// is there, and `CREATE INDEX IF NOT EXISTS` a SHARE lock: run at every start beside another
/// process's load, which holds row locks on the same tables and then asks for another, the two
/// deadlock (seen with Airflow's parallel load tasks starting together). So a setup records the
/// md5 of its statements in the meta schema's `schema_setups`; when that record and everything
/// the setup creates exist, it runs nothing and takes no lock on the tables it sets up. When it
/// does run (a new database, a newer energize), it first locks the tables that exist in the
/// order loads take them, so it waits for a load instead of deadlocking with it.
public struct SchemaSetup: Sendable {
    /// The meta schema, where `schema_setups` lives (created by the statements).
    public var metaSchema: String
    /// The statements, in order; each must be safe to run again (`IF NOT EXISTS`, `OR REPLACE`).
    public var statements: [String]
    /// The qualified, quoted names of the tables, sequences and indexes the statements create:
    /// one dropped by hand makes the setup run again. Tables come in the order writers lock them.
    public var relations: [String]
    /// The functions the statements create, as `"schema"."name"(argument types)`: one dropped by
    /// hand makes the setup run again.
    public var functions: [String]

    /// A setup.
    /// - Parameters:
    ///   - metaSchema: the meta schema; the statements must create it.
    ///   - statements: the DDL, each statement safe to run again.
    ///   - relations: the qualified, quoted names of the tables (in the order writers lock them),
    ///     sequences and indexes the statements create.
    ///   - functions: the functions they create, as `"schema"."name"(argument types)`.
    public init(metaSchema: String, statements: [String], relations: [String], functions: [String] = []) {
        self.metaSchema = metaSchema
        self.statements = statements
        self.relations = relations
        self.functions = functions
    }

    var record: String { SQLIdentifier.qualified(metaSchema, "schema_setups") }
    /// What the record holds the md5 of: every statement, in order.
    var definition: String { statements.joined(separator: "\n;\n") }

    /// Whether the statements already ran here and everything they create exists (reads the
    /// catalog and `schema_setups`).
    /// - Parameter executor: a connection to the database.
    public func isCurrent(_ executor: any SQLExecutor) throws -> Bool {
        let present = try executor.scalar("""
            SELECT to_regclass($1) IS NOT NULL AND NOT EXISTS (SELECT 1 FROM unnest($2::text[]) r WHERE to_regclass(r) IS NULL)
              AND NOT EXISTS (SELECT 1 FROM unnest($3::text[]) f WHERE to_regprocedure(f) IS NULL)
            """, [record, PostgresArray.text(relations), PostgresArray.text(functions)])
        guard present == "t" else { return false }
        return try executor.scalar("SELECT 1 FROM \(record) WHERE fingerprint = md5($1)", [definition]) != nil
    }

    /// Runs the statements unless they are current, then records them. Call it inside a transaction
    /// that holds the DDL lock (`pg_advisory_xact_lock(hashtext('energize ddl'))`), so one
    /// process at a time decides.
    /// - Parameter executor: a connection inside that transaction.
    /// - Returns: whether the statements ran.
    @discardableResult
    public func apply(_ executor: any SQLExecutor) throws -> Bool {
        if try isCurrent(executor) { return false }
        // The tables that exist, locked in the order writers take them: an ALTER TABLE below then
        // waits for a load's commit instead of holding one table while the load waits for it.
        let tables = try executor.run("""
            SELECT x.r FROM unnest($1::text[]) WITH ORDINALITY AS x(r, n) JOIN pg_class c ON c.oid = to_regclass(x.r)
            WHERE c.relkind IN ('r', 'p') ORDER BY x.n
            """, [PostgresArray.text(relations)]).compactMap { $0.first ?? nil }
        if !tables.isEmpty {
            // The names are the setup's own, quoted and qualified (`relations`), as PostgreSQL returned them.
            try executor.run("LOCK TABLE \(tables.joined(separator: ", ")) IN ACCESS EXCLUSIVE MODE", [])
        }
        for statement in statements { try executor.run(statement, []) }
        try executor.run("""
            CREATE TABLE IF NOT EXISTS \(record) (fingerprint text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT clock_timestamp())
            """, [])
        try executor.run("INSERT INTO \(record) (fingerprint) VALUES (md5($1)) ON CONFLICT (fingerprint) DO NOTHING", [definition])
        return true
    }
}
