import EnergizeCore
import Foundation

extension ModelCompiler {
    /// A project's own data tests: each file of `tests/` is a `SELECT` of the rows that break
    /// a rule (dbt's singular tests), named after the file and filed under the first model it
    /// reads with `{{ ref('m') }}`. `ref`, `raw`, `raw_column` and `var` work as in models.
    /// - Parameters:
    ///   - files: the test files.
    ///   - models: the compiled models they may read.
    /// - Throws: ``ModelFileError`` naming the file, the line and the problem.
    public func compileTests(_ files: [ModelFile], models: [Model]) throws -> [DataTest] {
        try files.map { file in
            let query = try self.query(file, models: models, kind: "a test")
            var test = DataTest(model: query.reads.first ?? file.name, .query(name: file.name, sql: query.sql))
            test.reads = query.reads
            test.sources = query.sources
            return test
        }
    }

    /// A project's analyses: each file of `analyses/` is a `SELECT` an analyst runs against the
    /// warehouse (dbt's analyses), compiled with `ref`, `raw`, `raw_column` and `var` as in models
    /// and never built. A line `-- columns: a, b, c` documents the columns it returns.
    /// - Parameters:
    ///   - files: the analysis files.
    ///   - models: the compiled models they may read.
    /// - Throws: ``ModelFileError`` naming the file, the line and the problem.
    public func compileAnalyses(_ files: [ModelFile], models: [Model]) throws -> [Analysis] {
        try files.map { file in
            let query = try self.query(file, models: models, kind: "an analysis")
            let documented = file.text.split(separator: "\n").lazy.map { $0.trimmingCharacters(in: .whitespaces) }
                .first { $0.hasPrefix("-- columns:") }
                .map { $0.dropFirst("-- columns:".count).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } } ?? []
            return Analysis(name: file.name, path: file.path, sql: query.sql, reads: query.reads, columns: documented)
        }
    }

    /// A file's `SELECT` with its macros resolved, the models it reads (in order of first use) and the raw tables it names.
    private func query(_ file: ModelFile, models: [Model], kind: String) throws -> (sql: String, reads: [String], sources: [TableName]) {
        let relations = Dictionary(models.map { ($0.name, $0.relation) }, uniquingKeysWith: { first, _ in first })
        var reads: [String] = []
        var sources: [TableName] = []
        let sections = try file.sections()
        if let (key, setting) = sections.settings.first {
            throw ModelFileError(path: file.path, line: setting.line, problem: "`\(key)`: \(kind) file takes no settings")
        }
        let sql = Self.trimmed(try ModelTemplate(lines: sections.body + sections.afterBody, path: file.path).render { call in
            let arity = ["ref": 1, "raw": 1, "raw_column": 2, "var": 1]
            guard let expected = arity[call.name], call.arguments.count == expected else {
                throw ModelFileError(path: file.path, line: call.line,
                                     problem: "\(call.text): \(kind) may use ref('model'), raw('table'), raw_column('table', 'column') and var('name')")
            }
            switch call.name {
            case "ref":
                guard let relation = relations[call.arguments[0]] else {
                    throw ModelFileError(path: file.path, line: call.line, problem: "\(call.text) names no model")
                }
                if !reads.contains(call.arguments[0]) { reads.append(call.arguments[0]) }
                return SQL(unescaped: relation)
            default:
                if call.name != "var" {
                    let source = TableName(schema: environment.rawSchema, name: call.arguments[0])
                    if !sources.contains(source) { sources.append(source) }
                }
                return SQL(unescaped: try sourceMacro(call, file))
            }
        }).description
        guard !sql.isEmpty else { throw ModelFileError(path: file.path, line: nil, problem: "no SELECT statement") }
        return (sql, reads, sources)
    }
}

/// One analysis of a project (`analyses/<name>.sql`): a query an analyst runs, compiled, not built.
public struct Analysis: Sendable, Hashable {
    /// The file's name without `.sql`.
    public var name: String
    /// The file's path.
    public var path: String
    /// The `SELECT`, its macros resolved.
    public var sql: String
    /// The models it reads, in order of first use.
    public var reads: [String]
    /// The columns its `-- columns:` line documents (empty when it has none).
    public var columns: [String]

    /// An analysis.
    /// - Parameters:
    ///   - name: the file's name without `.sql`.
    ///   - path: the file's path.
    ///   - sql: the compiled `SELECT`.
    ///   - reads: the models it reads.
    ///   - columns: the columns it documents.
    public init(name: String, path: String, sql: String, reads: [String], columns: [String]) {
        self.name = name
        self.path = path
        self.sql = sql
        self.reads = reads
        self.columns = columns
    }
}
