/// The kind of value a contract requires of a field.
public indirect enum FieldKind: Sendable, Hashable {
    /// Text (a BSON string).
    case string
    /// A whole number: int32, int64, or a double or Decimal128 without a fraction (`2.0`).
    case wholeNumber
    /// Any number: int32, int64, double or Decimal128.
    case number
    /// A BSON date.
    case date
    /// A BSON bool.
    case bool
    /// A BSON ObjectId.
    case objectId
    /// A non-empty array whose elements are documents satisfying `fields`.
    case documents([FieldRequirement])
    /// An embedded document satisfying `fields`.
    case document([FieldRequirement])
    /// An array of any values (empty included).
    case array
    /// Any value at all.
    case any

    /// Whether `value` (never `null`) is of this kind; nested rules are checked by `DocumentRules`.
    func admits(_ value: Value) -> Bool {
        switch (self, value) {
        case (.any, _): true
        case (.string, .string), (.date, .date), (.bool, .bool), (.objectId, .objectId): true
        case (.number, .int32), (.number, .int64), (.number, .double), (.number, .decimal): true
        case (.wholeNumber, .int32), (.wholeNumber, .int64): true
        case (.wholeNumber, .double(let d)): d.isFinite && d.rounded(.towardZero) == d
        case (.wholeNumber, .decimal(let text)): Self.isWholeDecimal(text)
        case (.documents, .array), (.array, .array), (.document, .document): true
        default: false
        }
    }

    /// A name for reasons: "a whole number", "text", …
    var description: String {
        switch self {
        case .string: "text"
        case .wholeNumber: "a whole number"
        case .number: "a number"
        case .date: "a date"
        case .bool: "a bool"
        case .objectId: "an ObjectId"
        case .documents: "a non-empty array of documents"
        case .document: "a document"
        case .array: "an array"
        case .any: "a value"
        }
    }

    /// Whether a Decimal128's text (`"12"`, `"12.00"`, `"1.2E+3"`) is a whole number.
    static func isWholeDecimal(_ text: String) -> Bool {
        let upper = text.uppercased()
        guard !upper.contains("N"), !upper.contains("I") else { return false }   // NaN, Infinity
        var mantissa = Substring(upper)
        var exponent = 0
        if let e = upper.firstIndex(of: "E") {
            mantissa = upper[..<e]
            guard let parsed = Int(upper[upper.index(after: e)...]) else { return false }
            exponent = parsed
        }
        mantissa = mantissa.drop { $0 == "-" || $0 == "+" }
        let integerDigits = mantissa.firstIndex(of: ".").map { mantissa.distance(from: mantissa.startIndex, to: $0) } ?? mantissa.count
        let digits = mantissa.filter { $0 != "." }
        // Digits at or after the decimal point, once the exponent has moved it, must be zeros.
        let point = integerDigits + exponent
        return digits.enumerated().allSatisfy { $0.offset < point || $0.element == "0" }
    }
}

/// One field a document must (or may) have, and its kind.
public struct FieldRequirement: Sendable, Hashable {
    /// The field's name in its document.
    public var name: String
    /// The kind of value it must hold.
    public var kind: FieldKind
    /// When `true` the field may be missing or `null`.
    public var optional: Bool

    /// A field of a contract.
    /// - Parameters:
    ///   - name: the field's name in its document.
    ///   - kind: the kind of value it must hold.
    ///   - optional: whether it may be missing or `null`.
    public init(_ name: String, _ kind: FieldKind, optional: Bool = false) {
        self.name = name
        self.kind = kind
        self.optional = optional
    }
}
