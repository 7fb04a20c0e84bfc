import EnergizeCore

/// Turns a project's model files into models: reads each header, resolves every macro, and
/// checks what can be checked without running anything.
///
/// Macros (arguments are quoted):
/// - `{{ ref('m') }}`: model `m`'s relation, and a dependency on it.
/// - `{{ this }}`: the model's own relation.
/// - `{{ raw('t') }}`: raw table `t`; `{{ raw_column('t', 'c') }}`: its column `"c"`, or `NULL`
///   when the table has no such column (a field that never held a value).
/// - `{{ var('name') }}`: a project variable as a quoted SQL literal.
/// - `{{ scd2_lookup('dim', 'key expression', 'time expression') }}`: the surrogate key of the
///   SCD2 dimension's version valid at that time (the last one starting at or before it;
///   before the first version, the first; no version, `-1`).
/// - `{{ scd2_join('dim', 'key expression', 'time expression', 'alias') }}`: the same version,
///   found set-based by a `LEFT JOIN` to the dimension's ``SCD2Ranges`` (faster on large facts);
///   select `coalesce(alias.<surrogate key>, -1)`.
/// - In an incremental model's `changed_scopes`, `deltas` and `rebuild_when` sections only:
///   `{{ last_run_id }}` (the run that last built the model, 0 before the first), `{{ run_id }}` (this run),
///   `{{ new_versions('dim') }}` (the `(natural key, since)` of an SCD2 dimension's keys with
///   versions added since the model's last run), and `{{ changes('m') }}` (the rows incremental
///   model `m` deleted or inserted since then, old and new values, typed as `m`'s rows plus
///   `energize_sign`, -1 deleted and 1 inserted, and `energize_run`, the run that did it; `m`
///   then keeps a ``ChangeLog``).
/// - In an incremental model's `SELECT` only: `{{ in_scope('expr', …) }}`, one expression per
///   scope column: `TRUE` when the model is built whole, and in an incremental run whether the
///   row's values are one of the changed scopes, so a `GROUP BY` model aggregates only those.
public struct ModelCompiler: Sendable {
    /// The schemas, raw tables and variables the files are compiled against.
    public var environment: ModelEnvironment

    /// A compiler for one environment.
    /// - Parameter environment: the project's schemas, raw tables and variables.
    public init(environment: ModelEnvironment) {
        self.environment = environment
    }

    /// The models of `files`, in the files' order.
    /// - Parameter files: the project's model files.
    /// - Throws: ``ModelFileError`` naming the file, the line and the problem.
    public func compile(_ files: [ModelFile]) throws -> [Model] {
        var headers: [String: Header] = [:]
        for file in files {
            let header = try Header(file, environment: environment)
            if let other = headers[file.name] {
                throw ModelFileError(path: file.path, line: nil, problem: "a model named \(file.name) is also defined in \(other.file.path)")
            }
            headers[file.name] = header
        }
        var models = try files.map { try model(headers[$0.name]!, headers) }
        // A model whose changes another reads keeps a change log.
        let logged = Set(models.flatMap { $0.changeLogs.map(\.model) })
        for index in models.indices where logged.contains(models[index].name) {
            if var incremental = models[index].materialization as? Incremental {
                incremental.logsChanges = true
                models[index].materialization = incremental
            }
        }
        return models
    }

    private func model(_ header: Header, _ headers: [String: Header]) throws -> Model {
        var dependencies: [String] = []
        var changeLogs: [ChangeLog] = []
        var sources: [TableName] = []
        let file = header.file
        func depend(on name: String, _ call: ModelTemplate.Call) throws -> Header {
            guard let target = headers[name] else {
                throw ModelFileError(path: file.path, line: call.line, problem: "\(call.text) names no model; models: \(headers.keys.sorted().joined(separator: ", "))")
            }
            // A model may read itself (an incremental model's changed scopes): not a dependency.
            if name != file.name, !dependencies.contains(name) { dependencies.append(name) }
            return target
        }
        func scd2(_ call: ModelTemplate.Call) throws -> (Header, SCD2Dimension) {
            let target = try depend(on: call.arguments[0], call)
            guard let dimension = try target.materialization(changedScopes: "") as? SCD2Dimension else {
                throw ModelFileError(path: file.path, line: call.line, problem: "\(call.text): \(target.file.name) is not materialized=scd2")
            }
            return (target, dimension)
        }
        let scope = (try header.materialization(changedScopes: "") as? Incremental)?.scope
        /// - Parameters:
        ///   - inScopes: the call is in the changed_scopes section.
        ///   - scoped: rendering the `SELECT` an incremental run executes (`in_scope` filters).
        func replace(_ call: ModelTemplate.Call, inScopes: Bool, scoped: Bool = false) throws -> SQL {
            let arity: [String: Int] = ["ref": 1, "this": 0, "raw": 1, "raw_column": 2, "var": 1, "scd2_lookup": 3, "scd2_join": 4,
                                        "last_run_id": 0, "run_id": 0, "new_versions": 1, "changes": 1, "in_scope": scope?.count ?? 1]
            guard let expected = arity[call.name] else {
                throw ModelFileError(path: file.path, line: call.line, problem: "\(call.text): unknown macro; expected one of \(arity.keys.sorted().joined(separator: ", "))")
            }
            if call.name == "in_scope" {
                guard let scope, !inScopes else {
                    throw ModelFileError(path: file.path, line: call.line, problem: "\(call.text) is only known in the SELECT of a materialized=incremental model")
                }
                guard call.arguments.count == scope.count else {
                    throw ModelFileError(path: file.path, line: call.line, problem: "\(call.text): in_scope takes one expression per scope column (\(scope.joined(separator: ", ")))")
                }
                guard scoped else { return "TRUE" }
                let list = SQLIdentifier.list(scope)
                return SQL(unescaped: "((\(call.arguments.joined(separator: ", "))) IN (SELECT \(list) FROM energize_scope))")
            }
            guard call.arguments.count == expected else {
                throw ModelFileError(path: file.path, line: call.line, problem: "\(call.text): \(call.name) takes \(expected) quoted argument\(expected == 1 ? "" : "s")")
            }
            if ["last_run_id", "run_id", "new_versions", "changes"].contains(call.name), !inScopes {
                throw ModelFileError(path: file.path, line: call.line, problem: "\(call.text) is only known in an incremental model's changed_scopes, deltas and rebuild_when sections")
            }
            switch call.name {
            case "ref": return SQL(unescaped: try depend(on: call.arguments[0], call).relation)
            case "this": return SQL(unescaped: header.relation)
            case "raw", "raw_column", "var":
                if call.name != "var" {
                    let source = TableName(schema: environment.rawSchema, name: call.arguments[0])
                    if !sources.contains(source) { sources.append(source) }
                }
                return SQL(unescaped: try sourceMacro(call, file))
            case "scd2_lookup":
                let (target, dimension) = try scd2(call)
                return SQL(unescaped: dimension.lookup(table: target.relation, key: call.arguments[1], at: call.arguments[2]))
            case "scd2_join":
                let alias = call.arguments[3]
                guard let first = alias.first, first.isLetter || first == "_",
                      alias.allSatisfy({ ($0.isLetter && $0.isLowercase) || $0.isNumber || $0 == "_" }) else {
                    throw ModelFileError(path: file.path, line: call.line, problem: "\(call.text): the alias must be a plain lower-case SQL name, like 'c'")
                }
                let (target, dimension) = try scd2(call)
                let ranges = dimension.ranges(schema: target.schema, name: target.file.name)
                return SQL(unescaped: ranges.join(key: call.arguments[1], at: call.arguments[2], as: alias))
            case "new_versions":
                let (target, dimension) = try scd2(call)
                return dimension.newVersions(table: target.relation)
            case "changes":
                let target = try depend(on: call.arguments[0], call)
                guard target.kind == "incremental", target.file.name != file.name else {
                    throw ModelFileError(path: file.path, line: call.line, problem: "\(call.text): \(target.file.name) is not another materialized=incremental model")
                }
                let log = ChangeLog(schema: target.schema, model: target.file.name)
                if !changeLogs.contains(log) { changeLogs.append(log) }
                return log.changedRows
            case "last_run_id": return "\(SQLParameter.lastRunId)"
            default: return "\(SQLParameter.runId)"
            }
        }
        let sections = try file.sections()
        // The SELECT takes no parameters (a view cannot), so its text is all of it.
        let body = ModelTemplate(lines: sections.body, path: file.path)
        let sql = Self.trimmed(try body.render { try replace($0, inScopes: false) }).description
        guard !sql.isEmpty else { throw ModelFileError(path: file.path, line: nil, problem: "no SELECT statement") }
        let scopedSQL = Self.trimmed(try body.render { try replace($0, inScopes: false, scoped: true) }).description
        var queries: [String: SQL] = [:]
        for (name, lines) in sections.queries {
            guard header.kind == "incremental" else {
                throw ModelFileError(path: file.path, line: lines.first.map { $0.line - 1 }, problem: "a \(name) section belongs to materialized=incremental only")
            }
            let query = Self.trimmed(try ModelTemplate(lines: lines, path: file.path).render { try replace($0, inScopes: true) })
            guard !query.pieces.isEmpty else {
                throw ModelFileError(path: file.path, line: lines.first.map { $0.line - 1 }, problem: "the \(name) section holds no SELECT")
            }
            queries[name] = query
        }
        if header.kind == "incremental" {
            // Each strategy reads one section and no other.
            let (needed, foreign) = header.strategy == "add"
                ? ("deltas", "changed_scopes") : ("changed_scopes", "deltas")
            guard queries[needed] != nil else {
                throw ModelFileError(path: file.path, line: nil, problem: header.strategy == "add"
                    ? "incremental_strategy=add needs a `-- energize: deltas` section with the SELECT of what to add per unique_key"
                    : "materialized=incremental needs a `-- energize: changed_scopes` section with the SELECT of the scopes to rebuild")
            }
            if queries[foreign] != nil {
                throw ModelFileError(path: file.path, line: sections.queries[foreign]?.first.map { $0.line - 1 },
                                     problem: "a \(foreign) section does not apply to incremental_strategy=\(header.strategy)")
            }
        }
        var materialization = try header.materialization(changedScopes: queries["changed_scopes"] ?? SQL(pieces: []),
                                                         deltas: queries["deltas"] ?? SQL(pieces: []), rebuildWhen: queries["rebuild_when"])
        if var incremental = materialization as? Incremental, scopedSQL != sql {
            incremental.scopedSQL = scopedSQL
            materialization = incremental
        }
        var model = Model(name: file.name, schema: header.schema, sql: sql, materialization: materialization, dependencies: dependencies)
        model.rejectsOf = header.rejectsOf
        model.changeLogs = changeLogs
        model.sources = sources
        return model
    }

    /// `raw`, `raw_column` and `var`, which mean the same in models and tests.
    func sourceMacro(_ call: ModelTemplate.Call, _ file: ModelFile) throws -> String {
        if call.name == "var" {
            guard let value = environment.vars[call.arguments[0]] else {
                throw ModelFileError(path: file.path, line: call.line, problem: "\(call.text): no variable \(call.arguments[0]); the project has \(environment.vars.keys.sorted().joined(separator: ", "))")
            }
            return ModelEnvironment.literal(value)
        }
        let table = call.arguments[0]
        if let columns = environment.rawColumns, columns[table] == nil {
            let missing = "\(call.text): raw table \(environment.rawSchema).\(table) does not exist"
            if let streams = environment.streamTables, !streams.contains(table) {
                let known = Set(columns.keys).union(streams).filter { !$0.hasPrefix("_") }.sorted()
                throw ModelFileError(path: file.path, line: call.line,
                                     problem: "\(missing), and no stream of the project loads it; the raw tables: \(known.joined(separator: ", "))")
            }
            throw ModelFileError(path: file.path, line: call.line, problem: "\(missing): load its stream first (`energize run`)")
        }
        guard call.name == "raw_column" else { return SQLIdentifier.qualified(environment.rawSchema, table) }
        return environment.rawColumns?[table]?.contains(call.arguments[1]) ?? true ? SQLIdentifier.quote(call.arguments[1]) : "NULL"
    }

    /// SQL without surrounding blank lines and trailing semicolons; when its last line holds a
    /// `--` comment, a line break follows, so that SQL put after it (`(… ) s`) is not commented out.
    static func trimmed(_ sql: SQL) -> SQL {
        var pieces = sql.pieces
        while case .text(let text)? = pieces.first {
            let rest = text.drop { $0.isWhitespace }
            guard rest.isEmpty else { pieces[0] = .text(String(rest)); break }
            pieces.removeFirst()
        }
        while case .text(let text)? = pieces.last {
            var rest = Substring(text)
            while let last = rest.last, last.isWhitespace || last == ";" { rest = rest.dropLast() }
            guard rest.isEmpty else { pieces[pieces.count - 1] = .text(String(rest)); break }
            pieces.removeLast()
        }
        var result = SQL(pieces: pieces)
        if case .text(let text)? = pieces.last, (text.split(separator: "\n", omittingEmptySubsequences: false).last ?? "").contains("--") {
            result = result + "\n"
        }
        return result
    }
}
