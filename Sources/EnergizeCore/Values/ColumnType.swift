/// The PostgreSQL type of a raw column, as warehouse.md §1 maps BSON types.
///
/// Numeric types widen (`integer` → `bigint` → `numeric`, `integer` + `double precision`
/// → `double precision`, a `bigint` or Decimal128 mixed with a double → `numeric`), so
/// a value is never truncated; other mixes are conflicts.
public enum ColumnType: String, Sendable, Hashable, CaseIterable {
    case boolean
    case integer
    case bigint
    case double = "double precision"
    case numeric
    case text
    case timestamptz
    case jsonb
    case bytea
    case uuid

    /// The SQL spelling of the type.
    public var sqlName: String { rawValue }

    /// The column type that holds `value`, or `nil` for `null`.
    public static func of(_ value: Value) -> ColumnType? {
        switch value {
        case .null: nil
        case .bool: .boolean
        case .int32: .integer
        case .int64: .bigint
        case .double: .double
        case .decimal: .numeric
        case .string, .objectId: .text
        case .date: .timestamptz
        case .document, .array: .jsonb
        case .binary(let subtype, let bytes): BinaryMapping.columnType(subtype: subtype, count: bytes.count)
        }
    }

    /// The narrowest type that holds every value of `self` and of `other`, or `nil`
    /// when no column type holds both without changing a value.
    public func widened(with other: ColumnType) -> ColumnType? {
        if self == other { return self }
        switch (self, other) {
        case (.integer, .bigint), (.bigint, .integer): return .bigint
        case (.integer, .double), (.double, .integer): return .double
        case (.bigint, .double), (.double, .bigint): return .numeric
        case (.numeric, .integer), (.numeric, .bigint), (.numeric, .double),
             (.integer, .numeric), (.bigint, .numeric), (.double, .numeric):
            return .numeric
        default: return nil
        }
    }

    /// Whether the column can hold a value of type `other` unchanged, without altering the column.
    public func holds(_ other: ColumnType) -> Bool {
        widened(with: other) == self
    }
}

/// Where binary values go: generic bytes (subtypes 0 and 2) to `bytea`, 16-byte UUIDs
/// (subtype 4) to `uuid`, every other subtype (legacy UUID 3, MD5 5, encrypted 6,
/// user-defined 0x80…) to `jsonb` as `{"$binary": {"base64": …, "subType": "hh"}}`, so the
/// subtype is never lost.
package enum BinaryMapping {
    package static func columnType(subtype: UInt8, count: Int) -> ColumnType {
        switch subtype {
        case 0, 2: .bytea
        case 4 where count == 16: .uuid
        default: .jsonb
        }
    }
}
