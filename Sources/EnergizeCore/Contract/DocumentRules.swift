/// What a document must satisfy to become a row of its stream's raw table.
///
/// A stream's contract (required fields and kinds, nested ones included), the fields its
/// load strategy cannot do without (the key and cursor of an incremental stream), and
/// what PostgreSQL cannot store (a NUL byte in text). Extra fields are never a violation.
public struct DocumentRules: Sendable, Hashable {
    /// The contract's fields; empty for a stream without a contract.
    public var contract: [FieldRequirement]
    /// Fields that must be present and not `null` (the strategy's key and cursor).
    public var required: [String]
    /// Whether a top-level field the contract does not name is allowed (`_id` always is).
    public var allowsExtraFields: Bool

    /// The rules of one stream.
    /// - Parameters:
    ///   - contract: the fields documents must (or may) have; empty for none.
    ///   - required: fields the load strategy needs present and not `null`.
    ///   - allowsExtraFields: whether fields the contract does not name are allowed.
    public init(contract: [FieldRequirement] = [], required: [String] = [], allowsExtraFields: Bool = true) {
        self.contract = contract
        self.required = required
        self.allowsExtraFields = allowsExtraFields
    }

    /// The first reason `document` cannot be loaded, naming the field path, or `nil`.
    /// - Parameter document: a document as the source read it.
    /// - Returns: the reason, naming the field path; nil when the document can load.
    public func violation(in document: Document) -> String? {
        if let issue = document.sourceIssue { return issue }
        for name in required where document[name] == nil || document[name]!.isNull {
            return "field `\(name)` is required by the load strategy but is \(document[name] == nil ? "missing" : "null")"
        }
        if let reason = Self.violation(of: contract, in: document, path: "") { return reason }
        if !allowsExtraFields, let extra = document.fields.first(where: { field in
            field.name != "_id" && !contract.contains { $0.name == field.name }
        }) {
            return "field `\(extra.name.replacingNul())` is not in the stream's contract, which allows no other fields"
        }
        if let reason = Self.nulByte(in: document, path: "") { return reason }
        return Self.dateOutOfRange(in: document)
    }

    /// The `timestamptz` range (see docs/types.md, "Dates"): 4714-11-24 BC (astronomical year -4713) up to, not
    /// including, 294277-01-01 (UTC). Dates inside documents and arrays are JSON text and
    /// have no limit.
    static let storableDates = CivilTime.milliseconds(year: -4713, month: 11, day: 24)
        ..< CivilTime.milliseconds(year: 294_277, month: 1, day: 1)

    static func dateOutOfRange(in document: Document) -> String? {
        for field in document.fields {
            if case .date(let ms) = field.value, !storableDates.contains(ms) {
                return "field `\(field.name)`: date \(CivilTime(millisecondsSinceEpoch: ms).iso8601) is outside PostgreSQL's timestamptz range (4714-11-24 BC to 294276-12-31)"
            }
        }
        return nil
    }

    static func violation(of requirements: [FieldRequirement], in document: Document, path: String) -> String? {
        for requirement in requirements {
            let fieldPath = path + requirement.name
            guard let value = document[requirement.name], !value.isNull else {
                if requirement.optional { continue }
                return "field `\(fieldPath)` is required but is \(document[requirement.name] == nil ? "missing" : "null")"
            }
            guard requirement.kind.admits(value) else {
                return "field `\(fieldPath)` must be \(requirement.kind.description) but is \(value.kindName) \(Self.preview(value))"
            }
            if case .document(let nested) = requirement.kind, case .document(let child) = value,
               let reason = violation(of: nested, in: child, path: fieldPath + ".") {
                return reason
            }
            if case .documents(let nested) = requirement.kind, case .array(let elements) = value {
                if elements.isEmpty { return "field `\(fieldPath)` must be a non-empty array of documents but is empty" }
                for (index, element) in elements.enumerated() {
                    guard case .document(let child) = element else {
                        return "field `\(fieldPath).\(index)` must be a document but is \(element.kindName)"
                    }
                    if let reason = violation(of: nested, in: child, path: "\(fieldPath).\(index).") { return reason }
                }
            }
        }
        return nil
    }

    /// NUL bytes (PostgreSQL text cannot hold them) and, inside embedded documents, repeated
    /// keys (a `jsonb` object keeps only the last).
    static func nulByte(in document: Document, path: String) -> String? {
        var seen = Set<String>()
        for field in document.fields {
            let fieldPath = path + field.name
            if !path.isEmpty, !seen.insert(field.name).inserted {
                return "field `\(fieldPath)` appears twice in its document, which jsonb cannot keep"
            }
            if field.name.utf8.contains(0) { return "field name `\(fieldPath.replacingNul())` holds a NUL byte, which PostgreSQL text cannot store" }
            if let reason = nulByte(in: field.value, path: fieldPath) { return reason }
        }
        return nil
    }

    static func nulByte(in value: Value, path: String) -> String? {
        switch value {
        case .string(let text) where text.utf8.contains(0):
            return "field `\(path)` holds a NUL byte, which PostgreSQL text cannot store"
        case .document(let child):
            return nulByte(in: child, path: path + ".")
        case .array(let elements):
            for (index, element) in elements.enumerated() {
                if let reason = nulByte(in: element, path: "\(path).\(index)") { return reason }
            }
            return nil
        default:
            return nil
        }
    }

    /// A short rendering of an offending value for a reason, e.g. `"two"`.
    static func preview(_ value: Value) -> String {
        switch value {
        case .string(let text): "\"\(text.prefix(40))\""
        case .int32(let n): "\(n)"
        case .int64(let n): "\(n)"
        case .double(let d): "\(d)"
        case .decimal(let text): text
        default: ""
        }
    }

    /// The text form of a document `_id` for the rejects table.
    package static func idText(_ value: Value) -> String {
        switch value {
        case .objectId(let hex): hex
        case .string(let text): text
        default: JSONText.encode(value)
        }
    }
}

extension String {
    func replacingNul() -> String { replacingOccurrences(of: "\0", with: "\\0") }
}
