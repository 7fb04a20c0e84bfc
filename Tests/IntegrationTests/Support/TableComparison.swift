import EnergizeCore
import Foundation
import MongoSource
import PGSink

/// Compares PostgreSQL raw tables with their MongoDB collections, field by field and type by type.
struct TableComparison {
    let connection: PGConnection
    /// Needed only to read documents from MongoDB.
    var client: MongoClient?
    let database: String
    let schema: String

    /// Every document of a collection.
    func documents(_ collection: String) throws -> [Document] {
        let cursor = client!.collection(collection, in: database).find(batchSize: 1_000)
        var documents: [Document] = []
        while let document = try cursor.next() { documents.append(document) }
        return documents
    }

    /// The raw table's column types (without `_loaded_at` and `_run_id`).
    func columnTypes(_ table: String) throws -> [String: ColumnType] {
        let rows = try connection.execute("""
            SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2
            """, [schema, table]).rows
        var types: [String: ColumnType] = [:]
        for row in rows where !["_loaded_at", "_run_id"].contains(row[0]!) {
            types[row[0]!] = ColumnType(rawValue: row[1]! == "timestamp with time zone" ? "timestamptz" : row[1]!)
        }
        return types
    }

    /// The recorded `field → column` names of a table (columns whose name differs from their field).
    func columnNames(_ table: String, metaSchema: String) throws -> [String: String] {
        let rows = try connection.execute("""
            SELECT field, column_name FROM \(SQLIdentifier.qualified(metaSchema, "column_names"))
            WHERE table_schema = $1 AND table_name = $2
            """, [schema, table]).rows
        return Dictionary(uniqueKeysWithValues: rows.map { ($0[0]!, $0[1]!) })
    }

    /// Problems found comparing `documents` (the valid ones) with their rows, keyed by `_id`:
    /// every field's value is in its column (or in `_overflow`), every other column is NULL,
    /// and each column's type is the widening of its values' types.
    func mismatches(table: String, documents: [Document], columnOf names: [String: String] = [:]) throws -> [String] {
        let types = try columnTypes(table)
        func column(_ field: String) -> String { names[field] ?? field }
        var problems: [String] = []
        var expected: [String: ColumnType] = [:]
        for document in documents {
            for field in document.fields where types[column(field.name)] != nil && field.name != "_overflow" {
                guard let type = ColumnType.of(field.value) else { continue }
                expected[field.name] = expected[field.name].map { $0.widened(with: type) ?? .text } ?? type
            }
        }
        for (name, type) in expected where types[column(name)] != type {
            problems.append("\(table).\(name): column type \(types[column(name)]?.sqlName ?? "missing"), expected \(type.sqlName)")
        }
        for document in documents {
            guard let idValue = document["_id"] else { problems.append("\(table): document without _id"); continue }
            let id = DocumentRules.idText(idValue)
            // Each check: SQL with `?0`, `?1` for its own values, and a label for messages.
            var checks: [(sql: String, values: [String?], label: String)] = []
            var covered = Set<String>()
            for field in document.fields where !field.value.isNull {
                let name = column(field.name)
                if field.name != "_overflow", types[name] != nil {
                    covered.insert(name)
                    checks.append((Self.check(field.value, column: "t." + SQLIdentifier.quote(name), parameter: "?0"),
                                   [Self.parameter(field.value)], field.name))
                } else {
                    checks.append(("t.\"_overflow\" -> ?0 = ?1::jsonb", [field.name, JSONText.encode(field.value)], field.name))
                }
            }
            for name in types.keys.sorted() where !covered.contains(name) && name != "_overflow" {
                checks.append(("t.\(SQLIdentifier.quote(name)) IS NULL", [], "\(name) (absent)"))
            }
            if checks.isEmpty { checks.append(("TRUE", [], "row")) }
            // PostgreSQL takes at most 1,664 result columns: check in slices.
            for start in stride(from: 0, to: checks.count, by: 500) {
                let slice = checks[start..<min(start + 500, checks.count)]
                var parameters: [String?] = [id]
                let expressions = slice.map { check -> String in
                    var sql = check.sql
                    for (index, value) in check.values.enumerated() {
                        parameters.append(value)
                        sql = sql.replacingOccurrences(of: "?\(index)", with: "$\(parameters.count)")
                    }
                    return sql
                }
                let sql = "SELECT " + expressions.joined(separator: ", ") + " FROM \(SQLIdentifier.qualified(schema, table)) t WHERE t.\"_id\" = $1"
                let rows = try connection.execute(sql, parameters).rows
                guard rows.count == 1 else {
                    problems.append("\(table) \(id): \(rows.count) rows")
                    break
                }
                for (check, result) in zip(slice, rows[0]) where result != "t" {
                    problems.append("\(table) \(id).\(check.label): differs from \(document[check.label].map { "\($0)" } ?? "NULL")")
                }
            }
        }
        return problems
    }

    /// A condition true when `column` holds exactly `value` (given as text in `parameter`).
    static func check(_ value: Value, column: String, parameter p: String) -> String {
        switch value {
        case .date: "floor(extract(epoch FROM \(column)) * 1000)::bigint = \(p)::bigint"
        case .decimal: "(\(column) = \(p)::numeric AND \(column)::text = \(p)::numeric::text)"
        case .double: "\(column) = \(p)::float8"
        case .int32, .int64: "\(column) = \(p)::numeric"
        case .bool: "\(column) = \(p)::boolean"
        case .document, .array: "\(column) = \(p)::jsonb"
        default: "\(column) = \(p)::text"
        }
    }

    static func parameter(_ value: Value) -> String? {
        switch value {
        case .date(let ms): String(ms)
        case .decimal(let text): text
        case .double(let d): NumberText.double(d)
        case .int32(let n): String(n)
        case .int64(let n): String(n)
        case .bool(let b): b ? "true" : "false"
        case .string(let s): s
        case .objectId(let hex): hex
        case .document, .array: JSONText.encode(value)
        default: nil
        }
    }

    /// Row count of a table.
    func count(_ table: String, where condition: String = "TRUE", _ parameters: [String?] = []) throws -> Int {
        Int(try connection.execute("SELECT count(*) FROM \(SQLIdentifier.qualified(schema, table)) t WHERE \(condition)", parameters).scalar ?? "0")!
    }

    /// A fingerprint of a table's rows, ignoring `_loaded_at` and `_run_id`.
    func fingerprint(_ table: String) throws -> String {
        try connection.execute("""
            SELECT md5(string_agg(r::text, '|' ORDER BY r::text)) FROM
              (SELECT to_jsonb(t) - '_loaded_at' - '_run_id' AS r FROM \(SQLIdentifier.qualified(schema, table)) t) x
            """).scalar ?? ""
    }
}
