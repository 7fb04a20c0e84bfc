import EnergizeCore

extension ColumnType {
    /// The column type for an `information_schema.columns.data_type`, when energize makes such columns.
    init?(informationSchemaName name: String) {
        switch name {
        case "boolean": self = .boolean
        case "integer": self = .integer
        case "bigint": self = .bigint
        case "double precision": self = .double
        case "numeric": self = .numeric
        case "text": self = .text
        case "timestamp with time zone": self = .timestamptz
        case "jsonb": self = .jsonb
        case "bytea": self = .bytea
        case "uuid": self = .uuid
        default: return nil
        }
    }
}

/// Turns cursor values into SQL parameters and back.
enum CursorText {
    /// The parameter text of a cursor value.
    static func parameter(_ value: Value) -> String? {
        switch value {
        case .date(let ms): CivilTime(millisecondsSinceEpoch: ms).postgresText
        case .int32(let n): String(n)
        case .int64(let n): String(n)
        case .double(let d): NumberText.double(d)
        case .decimal(let text): text
        case .string(let text): text
        case .objectId(let hex): hex
        default: nil
        }
    }

    /// The SQL expression that reads a cursor column's max as text we can parse back.
    static func maxExpression(column: String, type: ColumnType) -> String {
        let quoted = SQLIdentifier.quote(column)
        switch type {
        case .timestamptz: return "floor(extract(epoch FROM max(\(quoted))) * 1000)::bigint::text"
        default: return "max(\(quoted))::text"
        }
    }

    /// The cursor value read back from `maxExpression`.
    static func value(_ text: String?, type: ColumnType) -> Value? {
        guard let text else { return nil }
        switch type {
        case .timestamptz: return Int64(text).map(Value.date)
        case .integer, .bigint: return Int64(text).map(Value.int64)
        case .double: return Double(text).map(Value.double)
        case .numeric: return .decimal(text)
        default: return .string(text)
        }
    }
}
