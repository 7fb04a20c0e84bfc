import EnergizeCore
import Yams

/// Reads a stream's contract: the fields a document must (or may) hold and their kinds, and
/// whether other fields are allowed. A document that breaks it goes to `_rejects` with the
/// field path and the reason; the rest of the stream loads.
///
/// ```yaml
/// description: Orders as the shop writes them.
/// extra_fields: allow            # or reject: a field the contract does not name rejects the document
/// fields:                        # checked in this order; the first broken rule is the reason
///   order_id: string
///   email: {kind: string, optional: true}
///   address:
///     kind: document
///     fields: {city: string, state: string}
///   items:
///     kind: documents            # a non-empty array of documents
///     fields: {product: string, quantity: whole_number}
/// ```
/// Kinds: `string`, `whole_number`, `number`, `date`, `bool`, `object_id`, `document`,
/// `documents`, `array`, `any`.
struct ContractReader {
    let fields: YAMLFields

    /// A contract's rules.
    struct Contract {
        var requirements: [FieldRequirement]
        var allowsExtraFields: Bool
    }

    static let kinds = ["string", "whole_number", "number", "date", "bool", "object_id", "document", "documents", "array", "any"]

    /// Reads a contract from YAML text.
    /// - Parameter text: the file's content.
    func read(_ text: String) throws -> Contract {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw ConfigError(file: fields.file, path: "", problem: "not valid YAML: \(error)")
        }
        guard let node else { throw ConfigError(file: fields.file, path: "", problem: "the contract is empty; expected `fields:`") }
        return try contract(node, path: "")
    }

    /// Reads a contract given inline as a YAML node (a stream's `contract:` mapping).
    func contract(_ node: Node, path: String) throws -> Contract {
        let top = try pairs(node, path, keys: ["description", "extra_fields", "fields"])
        var contract = Contract(requirements: [], allowsExtraFields: true)
        for (key, value) in top {
            let keyPath = join(path, key)
            switch key {
            case "fields": contract.requirements = try requirements(value, keyPath)
            case "extra_fields":
                switch try fields.string(Constructor.default.any(from: value), keyPath) {
                case "allow": contract.allowsExtraFields = true
                case "reject": contract.allowsExtraFields = false
                case let other: throw ConfigError(file: fields.file, path: keyPath, problem: "expected allow or reject; got `\(other)`")
                }
            default: _ = try fields.string(Constructor.default.any(from: value), keyPath)
            }
        }
        guard top.contains(where: { $0.0 == "fields" }) else {
            throw ConfigError(file: fields.file, path: path, problem: "missing `fields`: the fields documents must hold and their kinds")
        }
        return contract
    }

    private func requirements(_ node: Node, _ path: String) throws -> [FieldRequirement] {
        guard let mapping = node.mapping else {
            throw ConfigError(file: fields.file, path: path, problem: "expected a mapping of field names to kinds")
        }
        return try mapping.map { key, value in
            let name = try fields.string(Constructor.default.any(from: key), path)
            return try requirement(name, value, join(path, name))
        }
    }

    private func requirement(_ name: String, _ node: Node, _ path: String) throws -> FieldRequirement {
        if node.scalar != nil {
            return FieldRequirement(name, try kind(try fields.string(Constructor.default.any(from: node), path), nested: nil, path))
        }
        var kindName: String?, optional = false, nested: [FieldRequirement]?
        for (key, value) in try pairs(node, path, keys: ["kind", "optional", "fields", "description"]) {
            let keyPath = join(path, key)
            switch key {
            case "kind": kindName = try fields.string(Constructor.default.any(from: value), keyPath)
            case "optional": optional = try fields.bool(Constructor.default.any(from: value), keyPath)
            case "fields": nested = try requirements(value, keyPath)
            default: _ = try fields.string(Constructor.default.any(from: value), keyPath)
            }
        }
        guard let kindName else { throw ConfigError(file: fields.file, path: path, problem: "missing `kind`; expected one of \(Self.kinds.joined(separator: ", "))") }
        return FieldRequirement(name, try kind(kindName, nested: nested, path), optional: optional)
    }

    private func kind(_ name: String, nested: [FieldRequirement]?, _ path: String) throws -> FieldKind {
        switch name {
        case "string": return .string
        case "whole_number": return .wholeNumber
        case "number": return .number
        case "date": return .date
        case "bool": return .bool
        case "object_id": return .objectId
        case "array": return .array
        case "any": return .any
        case "document": return .document(nested ?? [])
        case "documents": return .documents(nested ?? [])
        default:
            throw ConfigError(file: fields.file, path: path, problem: "unknown kind `\(name)`; expected one of \(Self.kinds.joined(separator: ", "))")
        }
    }

    /// A mapping's entries in file order, checking the keys.
    private func pairs(_ node: Node, _ path: String, keys: Set<String>) throws -> [(String, Node)] {
        guard let mapping = node.mapping else {
            throw ConfigError(file: fields.file, path: path, problem: "expected a mapping of keys to values")
        }
        return try mapping.map { key, value in
            let name = try fields.string(Constructor.default.any(from: key), path)
            guard keys.contains(name) else {
                throw ConfigError(file: fields.file, path: join(path, name), problem: "unknown key; expected one of \(keys.sorted().joined(separator: ", "))")
            }
            return (name, value)
        }
    }

    private func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
}
