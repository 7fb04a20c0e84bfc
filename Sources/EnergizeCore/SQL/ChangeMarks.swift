/// When each relation's rows last changed, as versions of one counter, kept in the meta
/// schema's `relation_changes`: what lets a transform leave a model, and a data test, as they
/// are when nothing they read changed since they were last built or run.
///
/// A version comes from the sequence `change_versions`, so any change of any relation gets a
/// version above every earlier one, and the largest version among a model's inputs moves
/// whenever one of them changes. Energize marks its own writes in the transaction that makes
/// them (a load that wrote or deleted rows, a model that changed); raw tables also carry a
/// statement trigger that marks every other write (a hand `UPDATE`, another loader), so a change
/// made outside energize is never missed. A relation without a mark has an unknown version:
/// what reads it is always rebuilt.
public struct ChangeMarks: Sendable {
    /// The meta schema holding the marks.
    public var schema: String

    /// The marks of one meta schema.
    /// - Parameter schema: the meta schema (default `energize_meta`).
    public init(schema: String = RunContext.defaultMetaSchema) {
        self.schema = schema
    }

    /// The setting energize's own writers turn on for their transaction, so the raw tables'
    /// trigger leaves the marking to them (they know whether rows really changed).
    public static let ownWritesSetting = "energize.marks_own_writes"

    var table: String { SQLIdentifier.qualified(schema, "relation_changes") }
    var sequence: String { SQLIdentifier.qualified(schema, "change_versions") }
    var triggerFunction: String { SQLIdentifier.qualified(schema, "mark_relation_change") }
    /// The sequence's name as a SQL string literal, for the trigger function's body.
    private var sequenceLiteral: String { "'" + sequence.replacingOccurrences(of: "'", with: "''") + "'" }

    /// Statements that create the table, the sequence and the trigger function when missing
    /// (run them under the meta schema's DDL lock, after the schema exists).
    public var createStatements: [String] {
        [
            "CREATE SEQUENCE IF NOT EXISTS \(sequence)",
            """
            CREATE TABLE IF NOT EXISTS \(table) (table_schema text NOT NULL, table_name text NOT NULL,
              version bigint NOT NULL, changed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
              PRIMARY KEY (table_schema, table_name))
            """,
            // The last version a write outside energize made (the trigger's): what energize's own
            // marks cannot tell, for readers that follow energize's writes row by row (`_run_id`).
            "ALTER TABLE \(table) ADD COLUMN IF NOT EXISTS outside_version bigint",
            """
            CREATE OR REPLACE FUNCTION \(triggerFunction)() RETURNS trigger LANGUAGE plpgsql
            -- As energize's role: another writer of a raw table need not be granted the marks' table.
            SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $energize$
            DECLARE
              v bigint;
            BEGIN
              IF coalesce(current_setting('\(Self.ownWritesSetting)', true), '') <> 'on' THEN
                v := nextval(\(sequenceLiteral));
                INSERT INTO \(table) (table_schema, table_name, version, outside_version) VALUES (TG_TABLE_SCHEMA, TG_TABLE_NAME, v, v)
                ON CONFLICT (table_schema, table_name) DO UPDATE SET version = v, outside_version = v, changed_at = clock_timestamp();
              END IF;
              RETURN NULL;
            END
            $energize$
            """,
        ]
    }

    /// The qualified names of the table and the sequence the statements create.
    public var relations: [String] { [table, sequence] }
    /// The trigger function the statements create, as `to_regprocedure` reads it.
    public var functions: [String] { [triggerFunction + "()"] }

    /// The statement that makes every write to `schema.table` outside energize's own (a statement
    /// that does not run with ``ownWritesSetting`` on) mark the table as changed.
    /// - Parameters:
    ///   - schema: the table's schema.
    ///   - table: the table's name.
    public func triggerStatement(schema tableSchema: String, table tableName: String) -> String {
        """
        CREATE OR REPLACE TRIGGER "energize_mark_change" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
        ON \(SQLIdentifier.qualified(tableSchema, tableName)) FOR EACH STATEMENT EXECUTE FUNCTION \(triggerFunction)()
        """
    }

    /// Turns the raw tables' trigger off for the rest of the current transaction: its writer marks
    /// what it changed itself, with ``mark(_:schema:table:)``.
    public func markOwnWrites(_ executor: any SQLExecutor) throws {
        try executor.run("SELECT set_config($1, 'on', true)", [Self.ownWritesSetting])
    }

    /// Marks `schema.table` as changed now, in the executor's current transaction.
    /// - Parameters:
    ///   - executor: the connection whose transaction changed the table.
    ///   - schema: the table's schema.
    ///   - table: the table's name.
    public func mark(_ executor: any SQLExecutor, schema tableSchema: String, table tableName: String) throws {
        try executor.run("""
            INSERT INTO \(table) (table_schema, table_name, version) VALUES ($1, $2, nextval($3::regclass))
            ON CONFLICT (table_schema, table_name) DO UPDATE SET version = excluded.version, changed_at = clock_timestamp()
            """, [tableSchema, tableName, sequence])
    }

    /// Marks `schema.table` as changed now unless it has a mark already (a table loaded before it
    /// carried marks: its readers then rebuild once, and are left alone after).
    /// - Parameters:
    ///   - executor: a connection to the warehouse.
    ///   - schema: the table's schema.
    ///   - table: the table's name.
    public func markUnlessMarked(_ executor: any SQLExecutor, schema tableSchema: String, table tableName: String) throws {
        try executor.run("""
            INSERT INTO \(table) (table_schema, table_name, version) VALUES ($1, $2, nextval($3::regclass))
            ON CONFLICT (table_schema, table_name) DO NOTHING
            """, [tableSchema, tableName, sequence])
    }

    /// The version of the last write to `schema.table` made outside energize (by the raw tables'
    /// trigger: a hand `UPDATE`, another loader); nil when there was none or the table has no marks.
    /// - Parameters:
    ///   - executor: a connection to the warehouse.
    ///   - schema: the table's schema.
    ///   - table: the table's name.
    public func outsideVersion(_ executor: any SQLExecutor, schema tableSchema: String, table tableName: String) throws -> Int64? {
        guard try executor.scalar("SELECT to_regclass($1) IS NOT NULL", [table]) == "t" else { return nil }
        return try executor.scalar("SELECT outside_version FROM \(table) WHERE table_schema = $1 AND table_name = $2",
                                   [tableSchema, tableName]).flatMap { Int64($0) }
    }

    /// Every marked relation's version; empty before the marks' table exists.
    /// - Parameter executor: a connection to the warehouse.
    public func versions(_ executor: any SQLExecutor) throws -> [TableName: Int64] {
        guard try executor.scalar("SELECT to_regclass($1) IS NOT NULL", [table]) == "t" else { return [:] }
        var versions: [TableName: Int64] = [:]
        for row in try executor.run("SELECT table_schema, table_name, version FROM \(table)", []) {
            guard let schema = row[0], let name = row[1], let version = row[2].flatMap({ Int64($0) }) else { continue }
            versions[TableName(schema: schema, name: name)] = version
        }
        return versions
    }
}

/// A table or view by schema and name, unquoted.
public struct TableName: Sendable, Hashable, CustomStringConvertible {
    /// Its schema.
    public var schema: String
    /// Its name in the schema.
    public var name: String

    /// A relation's name.
    /// - Parameters:
    ///   - schema: its schema.
    ///   - name: its name in the schema.
    public init(schema: String, name: String) {
        self.schema = schema
        self.name = name
    }

    /// `schema.name`, unquoted, for people.
    public var description: String { "\(schema).\(name)" }
    /// The quoted, qualified name, for SQL.
    public var quoted: String { SQLIdentifier.qualified(schema, name) }
}
