/// The PostgreSQL type of a raw column, chosen by the BSON type of its values (see docs/types.md).
///
/// Numeric types widen (`integer` → `bigint` → `numeric`, `integer` + `double precision`
/// → `double precision`, a `bigint` or Decimal128 mixed with a double → `numeric`), so
/// a value is never truncated; other mixes are conflicts.
public enum ColumnType: String, Sendable, Hashable, CaseIterable {
    /// `boolean`, for BSON bools.
    case boolean
    /// `integer`, for int32 values.
    case integer
    /// `bigint`, for int64 values (and int32 mixed with them).
    case bigint
    /// `double precision`, for doubles (and int32 mixed with them).
    case double = "double precision"
    /// `numeric`, for Decimal128 values, and for int64 or Decimal128 mixed with doubles.
    case numeric
    /// `text`, for strings, symbols and ObjectIds (as hex).
    case text
    /// `timestamptz`, for BSON dates.
    case timestamptz
    /// `jsonb`, for embedded documents, arrays, and the BSON types without a column type of their own.
    case jsonb
    /// `bytea`, for generic binary data (subtypes 0 and 2).
    case bytea
    /// `uuid`, for 16-byte UUIDs (binary subtype 4).
    case uuid

    /// The SQL spelling of the type.
    public var sqlName: String { rawValue }

    /// The column type that holds `value`, or `nil` for `null`.
    /// - Parameter value: a value of a document's top-level field.
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
    /// - Parameter other: the type of newly arrived values of the same field.
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
    /// - Parameter other: the type of a value to store in a column of this type.
    public func holds(_ other: ColumnType) -> Bool {
        widened(with: other) == self
    }
}

/// Where binary values go: generic bytes (subtypes 0 and 2) to `bytea`, 16-byte UUIDs
/// (subtype 4) to `uuid`, every other subtype (legacy UUID 3, MD5 5, encrypted 6,
/// user-defined 0x80…) to `jsonb` as `{"$binary": {"base64": …, "subType": "hh"}}`, so the
/// subtype is never lost.
package enum BinaryMapping {
    /// The column type of a binary value.
    /// - Parameters:
    ///   - subtype: the BSON binary subtype.
    ///   - count: the number of bytes.
    package static func columnType(subtype: UInt8, count: Int) -> ColumnType {
        switch subtype {
        case 0, 2: .bytea
        case 4 where count == 16: .uuid
        default: .jsonb
        }
    }
}
