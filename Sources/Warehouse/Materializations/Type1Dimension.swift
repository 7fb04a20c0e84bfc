/// A dimension of type 1: one row per natural key holding its current values, with a
/// surrogate key that stays the same across runs, and the unknown member `-1`.
///
/// A key that disappears from the source keeps its row (facts may still point at it);
/// rows inserted or changed by a run carry the run's id in `_changed_run`.
public struct Type1Dimension: Sendable, Hashable {
    public var naturalKey: String
    public var surrogateKey: String
    /// The other columns of the source.
    public var attributes: [String]

    /// Creates a `Type1Dimension` from its parts.
    public init(naturalKey: String, surrogateKey: String, attributes: [String]) {
        self.naturalKey = naturalKey
        self.surrogateKey = surrogateKey
        self.attributes = attributes
    }

    private var key: String { Quoting.quote(naturalKey) }

    /// Creates the table (from the source's column types), if missing.
    public func createStatements(table: String, source: String) -> [String] {
        [DimensionTable.create(table, source: source, surrogateKey: surrogateKey, columns: [naturalKey] + attributes, extra: "")]
    }

    /// Statements run once after the table was created: identity, constraints, unique key and unknown member.
    public func setupStatements(table: String, name: String) -> [String] {
        DimensionTable.setup(table, surrogateKey: surrogateKey, index: "CREATE UNIQUE INDEX ON \(table) (\(key))", unknown: [])
    }

    /// `$1` is the run's start (unused), `$2` its id.
    public func runStatements(table: String, source: String) -> [String] {
        let list = Quoting.list(attributes)
        let updates = attributes.map { "\(Quoting.quote($0)) = excluded.\(Quoting.quote($0))" }.joined(separator: ", ")
        let changed = attributes.map { "t.\(Quoting.quote($0)) IS DISTINCT FROM excluded.\(Quoting.quote($0))" }.joined(separator: " OR ")
        return ["""
            INSERT INTO \(table) AS t (\(key), \(list), _changed_run)
            SELECT DISTINCT ON (\(key)) \(key), \(list), $2::bigint FROM (\(source)) s
            WHERE \(key) IS NOT NULL AND $1::timestamptz IS NOT NULL ORDER BY \(key)
            ON CONFLICT (\(key)) DO UPDATE SET \(updates), _changed_run = excluded._changed_run
            WHERE \(changed.isEmpty ? "FALSE" : changed)
            """]
    }
}
