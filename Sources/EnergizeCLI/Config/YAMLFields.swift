import Foundation
import Yams

/// Typed reads of parsed YAML values for one file: each mismatch is a ``ConfigError`` naming
/// the file, the key path and what was expected. Shared by `energize.yml`, contracts and
/// model property files.
struct YAMLFields {
    /// The file, as named in errors.
    let file: String

    /// The parsed YAML of `text` (nil for an empty file).
    func load(_ text: String) throws -> Any? {
        do {
            return try Yams.load(yaml: text)
        } catch {
            throw ConfigError(file: file, path: "", problem: "not valid YAML: \(error)")
        }
    }

    /// The text of a file, or an error naming it.
    static func read(_ path: String, as name: String) throws -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(file: name, path: "", problem: "cannot read the file: \(error.localizedDescription)")
        }
    }

    /// A mapping with only `keys`; an empty value (a key whose entries are all commented out) is an empty mapping.
    func mapping(_ value: Any, _ path: String, keys: Set<String>) throws -> [String: Any] {
        if value is NSNull { return [:] }
        guard let dictionary = value as? [String: Any] else {
            throw ConfigError(file: file, path: path, problem: "expected a mapping of keys to values")
        }
        for key in dictionary.keys.sorted() where !keys.contains(key) {
            throw ConfigError(file: file, path: path.isEmpty ? key : "\(path).\(key)",
                              problem: "unknown key; expected one of \(keys.sorted().joined(separator: ", "))")
        }
        return dictionary
    }

    func list(_ value: Any, _ path: String) throws -> [Any] {
        guard let list = value as? [Any] else { throw ConfigError(file: file, path: path, problem: "expected a list") }
        return list
    }

    func string(_ value: Any, _ path: String) throws -> String {
        if let text = value as? String { return text }
        throw ConfigError(file: file, path: path, problem: "expected text, got \(Self.kind(value))")
    }

    /// Text, or a number or bool written as text (for variables and accepted values).
    func scalarText(_ value: Any, _ path: String) throws -> String {
        switch value {
        case let text as String: return text
        case let flag as Bool: return flag ? "true" : "false"
        case let number as Int: return String(number)
        case let number as Double: return String(number)
        default: throw ConfigError(file: file, path: path, problem: "expected text or a number, got \(Self.kind(value))")
        }
    }

    func strings(_ value: Any, _ path: String) throws -> [String] {
        try list(value, path).enumerated().map { try scalarText($1, "\(path)[\($0)]") }
    }

    func bool(_ value: Any, _ path: String) throws -> Bool {
        if let flag = value as? Bool { return flag }
        throw ConfigError(file: file, path: path, problem: "expected true or false, got \(Self.kind(value))")
    }

    func integer(_ value: Any, _ path: String, minimum: Int) throws -> Int {
        guard let number = value as? Int, !(value is Bool) else {
            throw ConfigError(file: file, path: path, problem: "expected a whole number, got \(Self.kind(value))")
        }
        guard number >= minimum else { throw ConfigError(file: file, path: path, problem: "expected at least \(minimum), got \(number)") }
        return number
    }

    func fraction(_ value: Any, _ path: String) throws -> Double {
        let number = (value as? Double) ?? (value as? Int).map(Double.init)
        guard let number, !(value is Bool), (0...1).contains(number) else {
            throw ConfigError(file: file, path: path, problem: "expected a number from 0 to 1, got \(Self.kind(value))")
        }
        return number
    }

    /// Seconds from `90s`, `15m`, `12h`, `7d`, `500ms` (or a bare number of seconds).
    func duration(_ value: Any, _ path: String) throws -> Double {
        if let seconds = value as? Int, !(value is Bool) { return Double(seconds) }
        if let seconds = value as? Double { return seconds }
        if let text = value as? String, let seconds = Self.seconds(text) { return seconds }
        throw ConfigError(file: file, path: path, problem: "expected a duration like 30s, 15m, 12h or 7d; got \(Self.kind(value))")
    }

    /// Seconds of a duration text, or nil.
    static func seconds(_ text: String) -> Double? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3_600), ("d", 86_400)]
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        for (suffix, factor) in units where trimmed.hasSuffix(suffix) {
            let number = trimmed.dropLast(suffix.count)
            if let value = Double(number), value >= 0, number.allSatisfy({ $0.isNumber || $0 == "." }) { return value * factor }
        }
        return nil
    }

    /// How a value reads in an error: `` `two` ``, `` `5` (a number) ``, `a list`.
    static func kind(_ value: Any) -> String {
        switch value {
        case is Bool: "`\(value)` (true/false)"
        case is Int, is Double: "`\(value)` (a number)"
        case let text as String: "`\(text)`"
        case is [Any]: "a list"
        case is [String: Any]: "a mapping"
        default: "`\(value)`"
        }
    }
}
