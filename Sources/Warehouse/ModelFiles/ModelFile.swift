import Foundation

/// A model written as a `.sql` file of a project's `models/` folder.
///
/// The file name without `.sql` is the model's name. Lines `-- energize: key=value …` set the
/// model's configuration; a line `-- energize: <section>` ends the model's `SELECT` and starts
/// one of an incremental model's queries (`changed_scopes`, the scopes to rebuild; `deltas`,
/// what to add; `rebuild_when`, when to build it whole). Everything else is SQL, with `{{ … }}`
/// macros. ``ModelCompiler`` describes the settings and the macros.
public struct ModelFile: Sendable, Hashable {
    /// The model's name: the file name without `.sql`.
    public let name: String
    /// The path used in error messages (as given, usually relative to the project).
    public let path: String
    /// The first folder between `models/` and the file (`staging` for `models/staging/x.sql`),
    /// which selects the model's schema when the header names none; nil at the top.
    public let folder: String?
    /// The file's text.
    public let text: String

    /// A model file from its text.
    /// - Parameters:
    ///   - name: the model's name.
    ///   - text: the file's content.
    ///   - path: the path to name in messages (default `<name>.sql`).
    ///   - folder: the folder under `models/` that holds it, if any.
    public init(name: String, text: String, path: String? = nil, folder: String? = nil) {
        self.name = name
        self.text = text
        self.path = path ?? name + ".sql"
        self.folder = folder
    }

    /// Reads every `.sql` file under `directory` (sub-folders included), sorted by path.
    /// - Parameter directory: the project's `models/` folder.
    /// - Throws: ``ModelFileError`` when a file cannot be read.
    public static func folder(_ directory: String) throws -> [ModelFile] {
        let root = URL(fileURLWithPath: directory)
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else {
            throw ModelFileError(path: directory, line: nil, problem: "cannot read the folder")
        }
        var files: [ModelFile] = []
        for case let url as URL in walker where url.pathExtension == "sql" {
            let relative = url.path.dropFirst(root.path.count).split(separator: "/").map(String.init)
            let text: String
            do {
                text = try String(contentsOf: url, encoding: .utf8)
            } catch {
                throw ModelFileError(path: url.path, line: nil, problem: "cannot read: \(error.localizedDescription)")
            }
            files.append(ModelFile(name: url.deletingPathExtension().lastPathComponent, text: text,
                                   path: (directory as NSString).appendingPathComponent(relative.joined(separator: "/")),
                                   folder: relative.count > 1 ? relative[0] : nil))
        }
        return files.sorted { $0.path < $1.path }
    }

    /// The header settings, the `SELECT` and the sections after it, as written.
    func sections() throws -> Sections {
        var sections = Sections()
        var current: String?
        for (index, line) in text.components(separatedBy: "\n").enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("-- energize:") else {
                if let current { sections.queries[current]!.append((index + 1, line)) } else { sections.body.append((index + 1, line)) }
                continue
            }
            let directive = trimmed.dropFirst("-- energize:".count).trimmingCharacters(in: .whitespaces)
            if !directive.contains("=") && !directive.contains(" ") {
                guard Sections.names.contains(directive) else {
                    throw ModelFileError(path: path, line: index + 1,
                                         problem: "unknown section `\(directive)`; expected \(Sections.names.joined(separator: ", ")) or key=value settings")
                }
                guard sections.queries[directive] == nil else {
                    throw ModelFileError(path: path, line: index + 1, problem: "a second `\(directive)` section")
                }
                current = directive
                sections.queries[directive] = []
                continue
            }
            for pair in directive.split(separator: " ") {
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, !parts[1].isEmpty else {
                    throw ModelFileError(path: path, line: index + 1, problem: "`\(pair)` is not key=value")
                }
                guard sections.settings.updateValue((parts[1], index + 1), forKey: parts[0]) == nil else {
                    throw ModelFileError(path: path, line: index + 1, problem: "`\(parts[0])` is set twice")
                }
            }
        }
        return sections
    }

    /// A model file split into its parts; each line keeps its number for messages.
    struct Sections {
        /// The sections a model's `SELECT` may be followed by, each started by `-- energize: <name>`:
        /// `changed_scopes` (the scopes an incremental run rebuilds), `deltas` (the rows an
        /// `incremental_strategy=add` run adds) and `rebuild_when` (a query that, when it returns a
        /// row, has an incremental model built whole).
        static let names = ["changed_scopes", "deltas", "rebuild_when"]

        var settings: [String: (value: String, line: Int)] = [:]
        var body: [(line: Int, text: String)] = []
        /// The sections after the `SELECT`, by name.
        var queries: [String: [(line: Int, text: String)]] = [:]

        /// The lines of every section after the `SELECT`, in file order.
        var afterBody: [(line: Int, text: String)] { queries.values.joined().sorted { $0.line < $1.line } }
    }
}

/// What is wrong with a model file or a project's model set: the file, the line when known,
/// and the problem.
public struct ModelFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file, as given.
    public var path: String
    /// The line, 1-based, when the problem has one.
    public var line: Int?
    /// What is wrong and what was expected.
    public var problem: String

    /// An error naming the place and the problem.
    /// - Parameters:
    ///   - path: the file.
    ///   - line: the 1-based line, if any.
    ///   - problem: what is wrong.
    public init(path: String, line: Int?, problem: String) {
        self.path = path
        self.line = line
        self.problem = problem
    }

    /// `path:line: problem`.
    public var description: String { "\(path)\(line.map { ":\($0)" } ?? ""): \(problem)" }
}
