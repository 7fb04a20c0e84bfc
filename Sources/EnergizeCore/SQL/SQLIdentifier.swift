/// Quoting of PostgreSQL identifiers in generated SQL.
///
/// Every identifier energize writes into SQL (schemas, tables, columns, models) goes through
/// `quote`, so a name keeps its case, spaces, quotes and reserved words and stays one
/// identifier. A `Materialization` or `Transform` of your own quotes its names the same way.
public enum SQLIdentifier {
    /// A name as a quoted identifier: `na"me` becomes `"na""me"`.
    /// - Parameter name: the identifier, as PostgreSQL stores it.
    /// - Returns: the name in double quotes, inner double quotes doubled.
    public static func quote(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A schema-qualified name, both parts quoted: `"schema"."name"`.
    /// - Parameters:
    ///   - schema: the schema.
    ///   - name: the relation (or other object) in it.
    /// - Returns: the quoted schema, a dot, and the quoted name.
    public static func qualified(_ schema: String, _ name: String) -> String {
        quote(schema) + "." + quote(name)
    }

    /// Quoted names joined by commas, each optionally prefixed by a table alias:
    /// `"a", "b"`, or `t."a", t."b"`.
    /// - Parameters:
    ///   - names: the column names, in order.
    ///   - alias: an alias written, unquoted, before each name (`t` gives `t."a"`); nil for none.
    /// - Returns: the list, `, `-separated.
    public static func list(_ names: [String], alias: String? = nil) -> String {
        names.map { (alias.map { $0 + "." } ?? "") + quote($0) }.joined(separator: ", ")
    }
}
