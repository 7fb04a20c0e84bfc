import EnergizeCore

extension ModelCompiler {
    /// A model file's `-- energize:` settings, checked.
    ///
    /// | setting | for | meaning |
    /// |---|---|---|
    /// | `materialized` | all | `view` (default), `table`, `incremental`, `scd2`, `type1` |
    /// | `schema` | all | a logical schema of the project (default: the file's folder under `models/` when it is one, else `warehouse`) |
    /// | `unique_key` | incremental, scd2, type1 | the row key (incremental) or the natural key (dimensions); comma-separated for incremental |
    /// | `scope` | incremental | the columns rebuilt together (default: `unique_key`) |
    /// | `incremental_strategy` | incremental | `delete+insert` (default: the changed scopes' rows rebuilt) or `add` (deltas added to sums) |
    /// | `count_column` | incremental, `add` | the column counting what a row sums; a row whose count comes to 0 is removed |
    /// | `surrogate_key` | scd2, type1 | the surrogate key column (default: the name without `dim_`, plus `_sk`) |
    /// | `tracked` | scd2 | the columns whose change starts a new version |
    /// | `carried` | scd2 | other columns kept with each version (default: `valid_from` and `updated_at`) |
    /// | `valid_from` | scd2 | the column that starts a key's first version (default `created_at`) |
    /// | `updated_at` | scd2 | the column that starts later versions (default `updated_at`) |
    /// | `hard_deletes` | scd2 | `invalidate` (default: close the version of a key gone from the source) or `ignore` |
    /// | `attributes` | type1 | the columns kept (current values) |
    /// | `rejects_of` | view | a collection: the view's rows (`document_id`, `reason`, `document`) are recorded in `_rejects` |
    struct Header {
        let file: ModelFile
        let kind: String
        let schema: String
        let rejectsOf: String?
        private let settings: [String: (value: String, line: Int)]

        static let kinds: [String: Set<String>] = [
            "view": ["rejects_of"],
            "table": [],
            "incremental": ["unique_key", "scope", "incremental_strategy", "count_column"],
            "scd2": ["unique_key", "surrogate_key", "tracked", "carried", "valid_from", "updated_at", "hard_deletes"],
            "type1": ["unique_key", "surrogate_key", "attributes"],
        ]

        init(_ file: ModelFile, environment: ModelEnvironment) throws {
            self.file = file
            settings = try file.sections().settings
            kind = settings["materialized"]?.value ?? "view"
            guard let allowed = Self.kinds[kind] else {
                throw ModelFileError(path: file.path, line: settings["materialized"]?.line,
                                     problem: "materialized=\(kind); expected view, table, incremental, scd2 or type1")
            }
            for (key, setting) in settings where !["materialized", "schema"].contains(key) && !allowed.contains(key) {
                let known = Set(Self.kinds.values.joined())
                throw ModelFileError(path: file.path, line: setting.line, problem: known.contains(key)
                    ? "`\(key)` does not apply to materialized=\(kind)"
                    : "unknown setting `\(key)`; expected materialized, schema, \(known.sorted().joined(separator: ", "))")
            }
            let logical = settings["schema"]?.value
                ?? file.folder.flatMap { environment.schemas[$0] == nil ? nil : $0 } ?? environment.defaultSchema
            guard let schema = environment.schemas[logical] else {
                throw ModelFileError(path: file.path, line: settings["schema"]?.line,
                                     problem: "schema=\(logical) is not a schema of this project; it has \(environment.schemas.keys.sorted().joined(separator: ", ")) (add others under `schemas:` in energize.yml)")
            }
            self.schema = schema
            rejectsOf = settings["rejects_of"]?.value
            _ = try materialization(changedScopes: SQL(pieces: []))
            if kind == "incremental" {
                switch strategy {
                case "add":
                    guard settings["count_column"] != nil else {
                        throw ModelFileError(path: file.path, line: settings["incremental_strategy"]?.line,
                                             problem: "incremental_strategy=add needs count_column= (the column that counts what a row sums, e.g. orders)")
                    }
                    if let scope = settings["scope"] {
                        throw ModelFileError(path: file.path, line: scope.line, problem: "`scope` does not apply to incremental_strategy=add (its rows are its unique_key)")
                    }
                    let count = try single("count_column")
                    if try list("unique_key").contains(count) {
                        throw ModelFileError(path: file.path, line: settings["count_column"]?.line,
                                             problem: "count_column=\(count) is in unique_key; it names the column outside it that counts what a row sums")
                    }
                case "delete+insert":
                    if let count = settings["count_column"] {
                        throw ModelFileError(path: file.path, line: count.line, problem: "`count_column` applies to incremental_strategy=add only")
                    }
                default:
                    throw ModelFileError(path: file.path, line: settings["incremental_strategy"]?.line,
                                         problem: "incremental_strategy=\(strategy); expected delete+insert or add")
                }
            }
        }

        var relation: String { SQLIdentifier.qualified(schema, file.name) }

        /// `incremental_strategy`, `delete+insert` when not set.
        var strategy: String { settings["incremental_strategy"]?.value ?? "delete+insert" }

        /// The materialization these settings describe.
        /// - Parameters:
        ///   - changedScopes: an incremental model's `changed_scopes` section, compiled.
        ///   - deltas: its `deltas` section (`incremental_strategy=add`).
        ///   - rebuildWhen: its `rebuild_when` section.
        func materialization(changedScopes: SQL, deltas: SQL = "", rebuildWhen: SQL? = nil) throws -> any Materialization {
            switch kind {
            case "table": return TableMaterialization()
            case "incremental" where strategy == "add":
                return Incremental(uniqueKey: try list("unique_key"), adding: deltas, countColumn: settings["count_column"]?.value ?? "",
                                   rebuildWhen: rebuildWhen)
            case "incremental":
                return Incremental(uniqueKey: try list("unique_key"), scope: try settings["scope"].map { _ in try list("scope") },
                                   changedScopes: changedScopes, rebuildWhen: rebuildWhen)
            case "scd2":
                let validFrom = settings["valid_from"]?.value ?? "created_at", updatedAt = settings["updated_at"]?.value ?? "updated_at"
                let hardDeletes = settings["hard_deletes"]?.value ?? "invalidate"
                guard let deletes = SCD2Dimension.HardDeletes(rawValue: hardDeletes) else {
                    throw ModelFileError(path: file.path, line: settings["hard_deletes"]?.line,
                                         problem: "hard_deletes=\(hardDeletes); expected invalidate or ignore")
                }
                let carried = try settings["carried"].map { _ in try list("carried") } ?? (validFrom == updatedAt ? [validFrom] : [validFrom, updatedAt])
                return SCD2Dimension(naturalKey: try single("unique_key"), surrogateKey: surrogateKey, tracked: try list("tracked"),
                                     carried: carried, createdAt: validFrom, updatedAt: updatedAt, hardDeletes: deletes)
            case "type1":
                return Type1Dimension(naturalKey: try single("unique_key"), surrogateKey: surrogateKey, attributes: try list("attributes"))
            default: return ViewMaterialization()
            }
        }

        private var surrogateKey: String {
            settings["surrogate_key"]?.value ?? (file.name.hasPrefix("dim_") ? String(file.name.dropFirst(4)) : file.name) + "_sk"
        }

        private func list(_ key: String) throws -> [String] {
            guard let setting = settings[key] else {
                throw ModelFileError(path: file.path, line: nil, problem: "materialized=\(kind) needs \(key)=")
            }
            let names = setting.value.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard !names.contains(where: \.isEmpty) else {
                throw ModelFileError(path: file.path, line: setting.line, problem: "\(key)=\(setting.value): an empty column name")
            }
            return names
        }

        private func single(_ key: String) throws -> String {
            let names = try list(key)
            guard names.count == 1 else {
                throw ModelFileError(path: file.path, line: settings[key]?.line, problem: "\(key)= names one column for materialized=\(kind)")
            }
            return names[0]
        }
    }
}
