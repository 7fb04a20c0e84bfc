import Foundation

/// One value read from a source document, typed the way the warehouse needs it.
///
/// The cases mirror the BSON types the pipeline distinguishes; every one of them
/// has an exact PostgreSQL representation (see `ColumnType`).
public enum Value: Sendable, Hashable {
    /// An explicit `null` (a missing field is simply absent from its `Document`).
    case null
    /// A BSON bool.
    case bool(Bool)
    /// A 32-bit integer.
    case int32(Int32)
    /// A 64-bit integer.
    case int64(Int64)
    /// A double, NaN, ±Infinity and -0 included.
    case double(Double)
    /// A Decimal128 in its canonical text form (`"4599.90"`, `"1.2E+5"`, `"NaN"`, `"-Infinity"`).
    case decimal(String)
    /// Text (a BSON string or symbol).
    case string(String)
    /// An ObjectId as 24 lower-case hexadecimal digits.
    case objectId(String)
    /// A BSON date: milliseconds since 1970-01-01T00:00:00Z.
    case date(Int64)
    /// An embedded document.
    case document(Document)
    /// An array, its elements in order.
    case array([Value])
    /// Binary data with its BSON subtype (4 is a UUID).
    case binary(subtype: UInt8, bytes: Data)

    /// The short, human name of the value's kind, used in reject reasons.
    public var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "bool"
        case .int32: "int32"
        case .int64: "int64"
        case .double: "double"
        case .decimal: "decimal128"
        case .string: "string"
        case .objectId: "objectId"
        case .date: "date"
        case .document: "document"
        case .array: "array"
        case .binary: "binary"
        }
    }

    /// Whether this is `null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

/// One named field of a document.
public struct Field: Sendable, Hashable {
    /// The field's name (any text, empty and repeated names included).
    public var name: String
    /// Its value.
    public var value: Value

    /// A field.
    /// - Parameters:
    ///   - name: the field's name.
    ///   - value: its value.
    public init(_ name: String, _ value: Value) {
        self.name = name
        self.value = value
    }
}

/// An ordered document, as a source delivers it (field order is kept, but not significant).
public struct Document: Sendable, Hashable, ExpressibleByDictionaryLiteral {
    /// The fields, in the source's order.
    public var fields: [Field]
    /// A problem the source found while decoding the document (text that is not valid
    /// UTF-8, say); a document with one is rejected with it as the reason.
    public var sourceIssue: String?

    /// An empty document.
    public init() {
        self.init([])
    }

    /// A document of `fields`, in order.
    /// - Parameters:
    ///   - fields: the fields.
    ///   - sourceIssue: a problem the source met decoding it (it then becomes a reject); nil for none.
    public init(_ fields: [Field], sourceIssue: String? = nil) {
        self.fields = fields
        self.sourceIssue = sourceIssue
    }

    /// Creates a document from `name: value` pairs, in order.
    /// - Parameter elements: the fields' names and values.
    public init(dictionaryLiteral elements: (String, Value)...) {
        self.fields = elements.map { Field($0.0, $0.1) }
    }

    /// The value of the first field named `name`, or `nil` when the field is missing; setting
    /// replaces that field's value, appends a new field, or (with nil) removes the field.
    /// - Parameter name: a field name.
    public subscript(name: String) -> Value? {
        get { fields.first { $0.name == name }?.value }
        set {
            if let index = fields.firstIndex(where: { $0.name == name }) {
                if let newValue { fields[index].value = newValue } else { fields.remove(at: index) }
            } else if let newValue {
                fields.append(Field(name, newValue))
            }
        }
    }
}
