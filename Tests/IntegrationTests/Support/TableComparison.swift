import EnergizeCore
import Foundation
import MongoSource
import PGSink

/// Compares PostgreSQL raw tables with their MongoDB collections, field by field and type by type.
struct TableComparison {
    let connection: PGConnection
    let client: MongoClient
    let database: String
    let schema: String

    /// Every document of a collection.
    func documents(_ collection: String) throws -> [Document] {
        let cursor = client.collection(collection, in: database).find(batchSize: 1_000)
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

    /// Problems found comparing `documents` (the valid ones) with their rows, keyed by `_id`.
    func mismatches(table: String, documents: [Document]) throws -> [String] {
        let types = try columnTypes(table)
        var problems: [String] = []
        // Each field's column type is the widening of its values' types.
        var expected: [String: ColumnType] = [:]
        for document in documents {
            for field in document.fields {
                guard let type = ColumnType.of(field.value) else { continue }
                expected[field.name] = expected[field.name].map { $0.widened(with: type) ?? .text } ?? type
            }
        }
        for (name, type) in expected where types[name] != type {
            problems.append("\(table).\(name): column type \(types[name]?.sqlName ?? "missing"), expected \(type.sqlName)")
        }
        let names = types.keys.sorted()
        for document in documents {
            guard case .objectId(let id) = document["_id"] else { problems.append("\(table): document without ObjectId"); continue }
            var checks: [String] = []
            var parameters: [String?] = [id]
            for name in names {
                let column = "t." + SQLIdentifier.quote(name)
                guard let value = document[name], !value.isNull else {
                    checks.append("\(column) IS NULL")
                    continue
                }
                parameters.append(Self.parameter(value))
                let p = "$\(parameters.count)"
                switch value {
                case .date: checks.append("floor(extract(epoch FROM \(column)) * 1000)::bigint = \(p)::bigint")
                case .decimal: checks.append("(\(column) = \(p)::numeric AND \(column)::text = \(p)::numeric::text)")
                case .double: checks.append("\(column) = \(p)::float8")
                case .int32, .int64: checks.append("\(column) = \(p)::numeric")
                case .bool: checks.append("\(column) = \(p)::boolean")
                case .document, .array: checks.append("\(column) = \(p)::jsonb")
                default: checks.append("\(column) = \(p)::text")
                }
            }
            let sql = "SELECT " + checks.joined(separator: ", ") + " FROM \(SQLIdentifier.qualified(schema, table)) t WHERE t.\"_id\" = $1"
            let rows = try connection.execute(sql, parameters).rows
            guard rows.count == 1 else {
                problems.append("\(table) \(id): \(rows.count) rows")
                continue
            }
            for (index, result) in rows[0].enumerated() where result != "t" {
                problems.append("\(table) \(id).\(names[index]): differs from \(document[names[index]].map { "\($0)" } ?? "missing")")
            }
        }
        return problems
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
