import EnergizeCore

/// The time each version of an SCD2 dimension covers, which `{{ scd2_join }}` joins facts on: a
/// table `<dimension>__energize_ranges` beside the dimension, one row per version (the unknown
/// member left out) with its natural key (`energize_key`), its surrogate key, and the range
/// `[energize_from, energize_to)`: from its `valid_from` (the key's first version from
/// `-infinity`) to the next version's `valid_from` (the key's last version to `infinity`). An
/// event is in exactly one range of its key, that of the last version starting at or before it.
///
/// A table rather than a subquery with window functions in each join: PostgreSQL keeps a join to
/// such a subquery out of its parallel workers, so one process typed and looked up every line of
/// a fact (BENCHMARKS.md, "Builds with parallel workers"). The dimension's build replaces the table in
/// the dimension's transaction; its rows follow from the dimension's, so what reads it counts its
/// changes as the dimension's (`InputVersions`).
public struct SCD2Ranges: Sendable, Hashable {
    /// The dimension's schema.
    public var schema: String
    /// The dimension's name.
    public var dimension: String
    /// The dimension's natural key column.
    public var naturalKey: String
    /// The dimension's surrogate key column.
    public var surrogateKey: String

    /// The ranges of one dimension.
    /// - Parameters:
    ///   - schema: the dimension's schema.
    ///   - dimension: the dimension's name.
    ///   - naturalKey: its natural key column (`customer_id`).
    ///   - surrogateKey: its surrogate key column (`customer_sk`).
    public init(schema: String, dimension: String, naturalKey: String, surrogateKey: String) {
        self.schema = schema
        self.dimension = dimension
        self.naturalKey = naturalKey
        self.surrogateKey = surrogateKey
    }

    /// The table's name, unquoted: `<dimension>__energize_ranges`; past PostgreSQL's 63 bytes, the
    /// dimension's name is cut and 8 hex digits of a hash of it added, so two dimensions sharing
    /// the cut part are told apart (but for a hash collision) and none is named as its dimension.
    public var table: TableName {
        let suffix = "__energize_ranges"
        let whole = dimension + suffix
        guard whole.utf8.count > 63 else { return TableName(schema: schema, name: whole) }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in dimension.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        let tag = "_" + String(String(hash, radix: 16).prefix(8))
        var head = ""
        for character in dimension {
            guard head.utf8.count + character.utf8.count + tag.utf8.count + suffix.utf8.count <= 63 else { break }
            head.append(character)
        }
        return TableName(schema: schema, name: head + tag + suffix)
    }

    /// The table's quoted, qualified name.
    public var relation: String { SQLIdentifier.qualified(table.schema, table.name) }

    private var dimensionRelation: String { SQLIdentifier.qualified(schema, dimension) }

    /// The ranges as the dimension holds them now.
    var query: String {
        let key = SQLIdentifier.quote(naturalKey), sk = SQLIdentifier.quote(surrogateKey)
        return """
            SELECT v.\(key) AS energize_key, v.\(sk),
              CASE WHEN lag(v.valid_from) OVER w IS NULL THEN '-infinity'::timestamptz ELSE v.valid_from END AS energize_from,
              coalesce(lead(v.valid_from) OVER w, 'infinity'::timestamptz) AS energize_to
            FROM \(dimensionRelation) v WHERE v.\(sk) <> -1
            WINDOW w AS (PARTITION BY v.\(key) ORDER BY v.valid_from)
            """
    }

    /// Creates the table, empty, when it is missing.
    private var create: Statement { Statement(text: "CREATE TABLE IF NOT EXISTS \(relation) AS \(query) WITH NO DATA") }

    /// Fills the created or emptied table, with statistics for the joins that read it.
    private var fill: [Statement] { [Statement(text: "INSERT INTO \(relation) \(query)"), Statement(text: "ANALYZE \(relation)")] }

    /// The steps that replace the table with the ranges the dimension holds now (in the
    /// dimension's transaction, after its changes): dropped and made again, so it follows the
    /// dimension's columns; emptied instead when a view reads it (it cannot be dropped then).
    var rebuild: [Plan.Step] {
        [Plan.Step(Statement(text: "DROP TABLE IF EXISTS \(relation)"), otherwise: [Statement(text: "TRUNCATE \(relation)")]),
         Plan.Step(create)] + fill.map { Plan.Step($0) }
    }

    /// Creates the table when the dimension exists without it (built by an energize that kept no
    /// ranges, and not built in this run): before any model that joins it starts.
    /// - Parameter executor: a connection to the warehouse, outside a transaction.
    func createIfMissing(_ executor: any SQLExecutor) throws {
        guard try executor.scalar("SELECT to_regclass($1) IS NOT NULL AND to_regclass($2) IS NULL", [dimensionRelation, relation]) == "t"
        else { return }
        try executor.inTransaction {
            for statement in [create] + fill { try executor.run(statement.text, statement.values) }
        }
    }

    /// A `LEFT JOIN` that finds, set-based, the version valid at `time` for natural key `key`
    /// (the same version as `SCD2Dimension.lookup(table:key:at:)`): on the natural key and the
    /// version's range (an event without a time gets the key's first version). `alias`'s surrogate
    /// key column is NULL when no version matches (an unknown key): select
    /// `coalesce(alias.<surrogate key>, -1)`.
    /// - Parameters:
    ///   - keyExpression: a SQL expression of the natural key (e.g. `s.device_id`).
    ///   - time: a SQL expression of the event's time (e.g. `r.at`).
    ///   - alias: the alias the joined ranges get: a plain lower-case SQL name (`c`).
    /// - Returns: a `LEFT JOIN … ON …` clause.
    public func join(key keyExpression: String, at time: String, as alias: String) -> String {
        """
        LEFT JOIN \(relation) \(alias)
          ON \(alias).energize_key = \(keyExpression)
          AND coalesce(\(time), '-infinity') >= \(alias).energize_from AND coalesce(\(time), '-infinity') < \(alias).energize_to
        """
    }
}
