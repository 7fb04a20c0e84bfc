import Foundation

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
        var path = FieldPath()
        if let reason = Self.violation(of: contract, in: document, path: &path) { return reason }
        if !allowsExtraFields, let extra = document.fields.first(where: { field in
            field.name != "_id" && !contract.contains { $0.name == field.name }
        }) {
            return "field `\(extra.name.replacingNul())` is not in the stream's contract, which allows no other fields"
        }
        if let reason = Self.nulByte(in: document, path: &path) { return reason }
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

    static func violation(of requirements: [FieldRequirement], in document: Document, path: inout FieldPath) -> String? {
        // Contracts mostly list fields in their documents' order: each look-up starts after the last found.
        var next = 0
        for requirement in requirements {
            let found = document.fields.index(named: requirement.name, from: next)
            if let found { next = found + 1 }
            guard let value = found.map({ document.fields[$0].value }), !value.isNull else {
                if requirement.optional { continue }
                return "field `\(path.text(appending: requirement.name))` is required but is \(document[requirement.name] == nil ? "missing" : "null")"
            }
            guard requirement.kind.admits(value) else {
                return "field `\(path.text(appending: requirement.name))` must be \(requirement.kind.description) but is \(value.kindName) \(Self.preview(value))"
            }
            if case .document(let nested) = requirement.kind, case .document(let child) = value {
                path.push(requirement.name)
                defer { path.pop() }
                if let reason = violation(of: nested, in: child, path: &path) { return reason }
            }
            if case .documents(let nested) = requirement.kind, case .array(let elements) = value {
                if elements.isEmpty { return "field `\(path.text(appending: requirement.name))` must be a non-empty array of documents but is empty" }
                path.push(requirement.name)
                defer { path.pop() }
                for (index, element) in elements.enumerated() {
                    guard case .document(let child) = element else {
                        return "field `\(path.text(appending: String(index)))` must be a document but is \(element.kindName)"
                    }
                    path.push(index)
                    defer { path.pop() }
                    if let reason = violation(of: nested, in: child, path: &path) { return reason }
                }
            }
        }
        return nil
    }

    /// NUL bytes (PostgreSQL text cannot hold them) and, inside embedded documents, repeated
    /// keys (a `jsonb` object keeps only the last).
    static func nulByte(in document: Document, path: inout FieldPath) -> String? {
        let nested = !path.isEmpty
        for (position, field) in document.fields.enumerated() {
            if nested, Self.isRepeated(position, in: document.fields) {
                return "field `\(path.text(appending: field.name))` appears twice in its document, which jsonb cannot keep"
            }
            if Self.holdsNul(field.name) {
                return "field name `\(path.text(appending: field.name).replacingNul())` holds a NUL byte, which PostgreSQL text cannot store"
            }
            path.push(field.name)
            defer { path.pop() }
            if let reason = nulByte(in: field.value, path: &path) { return reason }
        }
        return nil
    }

    static func nulByte(in value: Value, path: inout FieldPath) -> String? {
        switch value {
        case .string(let text) where holdsNul(text):
            return "field `\(path.text)` holds a NUL byte, which PostgreSQL text cannot store"
        case .document(let child):
            return nulByte(in: child, path: &path)
        case .array(let elements):
            for (index, element) in elements.enumerated() {
                path.push(index)
                defer { path.pop() }
                if let reason = nulByte(in: element, path: &path) { return reason }
            }
            return nil
        default:
            return nil
        }
    }

    /// Whether the field at `position` has the name of an earlier field.
    static func isRepeated(_ position: Int, in fields: [Field]) -> Bool {
        let name = fields[position].name
        for earlier in 0..<position where fields[earlier].name == name { return true }
        return false
    }

    /// Whether `text` holds a NUL byte.
    static func holdsNul(_ text: String) -> Bool {
        text.utf8.withContiguousStorageIfAvailable { utf8 in utf8.baseAddress.map { memchr($0, 0, utf8.count) != nil } ?? false } ?? text.utf8.contains(0)
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

extension [Field] {
    /// The index of a field named `name`, searching from `start` to the end and then from the
    /// beginning: the first such field when names are unique. (A document repeating a name may
    /// get a reason about another of its fields; it is rejected either way, for the repeat.)
    func index(named name: String, from start: Int) -> Int? {
        let start = Swift.min(start, count)
        for index in start..<count where self[index].name == name { return index }
        for index in 0..<start where self[index].name == name { return index }
        return nil
    }
}

/// The path of the field being checked (`items.0.sku`), kept as parts: its text is made only
/// for a reason.
struct FieldPath {
    private enum Part {
        case name(String)
        case index(Int)
    }

    private var parts: [Part] = []

    var isEmpty: Bool { parts.isEmpty }

    mutating func push(_ name: String) { parts.append(.name(name)) }
    mutating func push(_ index: Int) { parts.append(.index(index)) }
    mutating func pop() { parts.removeLast() }

    /// The path, parts joined with `.`.
    var text: String {
        parts.map { part in
            switch part {
            case .name(let name): name
            case .index(let index): String(index)
            }
        }.joined(separator: ".")
    }

    /// The path of a field named `last` inside this one.
    func text(appending last: String) -> String {
        isEmpty ? last : text + "." + last
    }
}

extension String {
    func replacingNul() -> String { replacingOccurrences(of: "\0", with: "\\0") }
}
