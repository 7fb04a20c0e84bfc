import EnergizeCore

extension ModelCompiler {
    /// A project's own data tests: each file of `tests/` is a `SELECT` of the rows that break
    /// a rule (dbt's singular tests), named after the file and filed under the first model it
    /// reads with `{{ ref('m') }}`. `ref`, `raw`, `raw_column` and `var` work as in models.
    /// - Parameters:
    ///   - files: the test files.
    ///   - models: the compiled models they may read.
    /// - Throws: ``ModelFileError`` naming the file, the line and the problem.
    public func compileTests(_ files: [ModelFile], models: [Model]) throws -> [DataTest] {
        let relations = Dictionary(models.map { ($0.name, $0.relation) }, uniquingKeysWith: { first, _ in first })
        return try files.map { file in
            var firstModel: String?
            var reads: [String] = []
            var sources: [TableName] = []
            let sections = try file.sections()
            if let (key, setting) = sections.settings.first {
                throw ModelFileError(path: file.path, line: setting.line, problem: "`\(key)`: a test file takes no settings")
            }
            let sql = Self.trimmed(try ModelTemplate(lines: sections.body + (sections.changedScopes ?? []), path: file.path).render { call in
                let arity = ["ref": 1, "raw": 1, "raw_column": 2, "var": 1]
                guard let expected = arity[call.name], call.arguments.count == expected else {
                    throw ModelFileError(path: file.path, line: call.line,
                                         problem: "\(call.text): a test may use ref('model'), raw('table'), raw_column('table', 'column') and var('name')")
                }
                switch call.name {
                case "ref":
                    guard let relation = relations[call.arguments[0]] else {
                        throw ModelFileError(path: file.path, line: call.line, problem: "\(call.text) names no model")
                    }
                    firstModel = firstModel ?? call.arguments[0]
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
            var test = DataTest(model: firstModel ?? file.name, .query(name: file.name, sql: sql))
            test.reads = reads
            test.sources = sources
            return test
        }
    }
}
