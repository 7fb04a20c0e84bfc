import Foundation

/// A model written as a `.sql` file, added to the graph next to the built-in models.
///
/// The file name (without `.sql`) is the model's name. Header lines `-- energize: key=value …`
/// set `materialized` (`view`, `table` or `incremental`; default `view`), `schema` (default: the
/// warehouse schema), and for incremental models `unique_key` and `scope` (comma-separated
/// columns). `{{ ref('model') }}` names another model (and makes it a dependency);
/// `{{ raw('table') }}` a raw table. An incremental model's file continues, after a line
/// `-- energize: changed_scopes`, with the `SELECT` of the scope values to rebuild (`$1`: the
/// model's last run id, `$2`: this run's).
public struct SQLModelFile: Sendable {
    /// What is wrong with a model file, naming the file, the line and the problem.
    public struct Invalid: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    public let name: String
    public let path: String
    let text: String

    /// Reads a file.
    public init(path: String) throws {
        self.path = path
        name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw Invalid(description: "\(path): cannot read: \(error.localizedDescription)")
        }
    }

    /// A file's text, for tests.
    public init(name: String, text: String, path: String? = nil) {
        self.name = name
        self.text = text
        self.path = path ?? name + ".sql"
    }

    /// Reads every `.sql` file of a folder, sorted by name.
    public static func folder(_ path: String) throws -> [SQLModelFile] {
        let names = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".sql") }.sorted()
        return try names.map { try SQLModelFile(path: URL(fileURLWithPath: path).appendingPathComponent($0).path) }
    }

    /// The model, with references resolved.
    /// - Parameters:
    ///   - relation: the quoted relation of a model name, or nil when there is no such model.
    ///   - raw: the quoted relation of a raw table.
    ///   - defaultSchema: the schema of models that name none.
    public func model(relation: (String) -> String?, raw: (String) -> String, defaultSchema: String) throws -> Model {
        var settings: [String: String] = [:]
        var body: [String] = []
        var changed: [String]?
        for (index, line) in text.components(separatedBy: "\n").enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("-- energize:") else {
                if changed != nil { changed!.append(line) } else { body.append(line) }
                continue
            }
            let directive = trimmed.dropFirst("-- energize:".count).trimmingCharacters(in: .whitespaces)
            if directive == "changed_scopes" { changed = []; continue }
            for pair in directive.split(separator: " ") {
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, ["materialized", "schema", "unique_key", "scope"].contains(parts[0]) else {
                    throw Invalid(description: "\(path):\(index + 1): unknown setting `\(pair)`; expected materialized=, schema=, unique_key=, scope=")
                }
                settings[parts[0]] = parts[1]
            }
        }
        var dependencies: [String] = []
        func resolve(_ sql: String) throws -> String {
            var result = sql
            for match in Self.references(in: sql) {
                let replacement: String
                if match.kind == "ref" {
                    guard let target = relation(match.name) else {
                        throw Invalid(description: "\(path): {{ ref('\(match.name)') }} names no model")
                    }
                    // A model may read itself (an incremental model's changed scopes): not a dependency.
                    if match.name != name, !dependencies.contains(match.name) { dependencies.append(match.name) }
                    replacement = target
                } else {
                    replacement = raw(match.name)
                }
                result = result.replacingOccurrences(of: match.text, with: replacement)
            }
            return result
        }
        let sql = try resolve(body.joined(separator: "\n")).trimmingCharacters(in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: ";")))
        guard !sql.isEmpty else { throw Invalid(description: "\(path): no SELECT statement") }
        let materialization: Materialization
        switch settings["materialized"] ?? "view" {
        case "view": materialization = .view
        case "table": materialization = .table
        case "incremental":
            guard let key = settings["unique_key"] else { throw Invalid(description: "\(path): materialized=incremental needs unique_key=") }
            guard let changed else { throw Invalid(description: "\(path): materialized=incremental needs a `-- energize: changed_scopes` section") }
            let uniqueKey = key.split(separator: ",").map(String.init)
            materialization = .incremental(IncrementalConfig(
                uniqueKey: uniqueKey, scope: settings["scope"].map { $0.split(separator: ",").map(String.init) },
                changedScopes: try resolve(changed.joined(separator: "\n")).trimmingCharacters(in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: ";")))))
        case let other:
            throw Invalid(description: "\(path): materialized=\(other); expected view, table or incremental")
        }
        return Model(name: name, schema: settings["schema"] ?? defaultSchema, sql: sql, materialization: materialization,
                     dependencies: dependencies)
    }

    /// `{{ ref('x') }}` and `{{ raw('x') }}` occurrences.
    static func references(in sql: String) -> [(text: String, kind: String, name: String)] {
        let pattern = #"\{\{\s*(ref|raw)\(\s*['"]([^'"]+)['"]\s*\)\s*\}\}"#
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return [] }
        let range = NSRange(sql.startIndex..., in: sql)
        return regex.matches(in: sql, range: range).compactMap { match in
            guard let whole = Range(match.range, in: sql), let kind = Range(match.range(at: 1), in: sql),
                  let name = Range(match.range(at: 2), in: sql) else { return nil }
            return (String(sql[whole]), String(sql[kind]), String(sql[name]))
        }
    }
}
