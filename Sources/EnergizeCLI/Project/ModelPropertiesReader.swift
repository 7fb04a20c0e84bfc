import Warehouse

/// Reads a `models/*.yml` file (dbt's `schema.yml`): descriptions of models and their columns,
/// and data tests.
///
/// ```yaml
/// models:
///   - name: dim_device
///     description: One row per version of each device.
///     columns:
///       - name: device_sk
///         description: Surrogate key; -1 is the unknown member.
///         tests: [unique, not_null]
///       - name: kind
///         tests:
///           - accepted_values: {values: [meter, sensor]}
///     tests:
///       - unique: {columns: [device_id, valid_from]}
///       - scd2_integrity: {where: "device_sk <> -1"}
/// ```
/// Column tests: `unique`, `not_null`, `accepted_values: {values}`, `relationships: {to, field}`.
/// Model tests: `unique: {columns}`, `not_null: {column}`, `one_current_version: {key}`,
/// `no_overlapping_versions: {key}`, and `scd2_integrity` (both; `key` defaults to an scd2
/// model's natural key). Every test takes `where:`, a SQL condition on the rows it checks.
struct ModelPropertiesReader {
    let fields: YAMLFields
    /// The project's compiled models, by name.
    let models: [String: Model]

    /// The descriptions and tests of one file.
    struct Properties {
        var descriptions: [String: (description: String?, columns: [ModelColumn])] = [:]
        var tests: [DataTest] = []
    }

    /// Reads one file's YAML text.
    func read(_ text: String) throws -> Properties {
        var properties = Properties()
        guard let root = try fields.load(text) else { return properties }
        let top = try fields.mapping(root, "", keys: ["models", "version"])
        for (index, item) in try fields.list(top["models"] ?? [Any](), "models").enumerated() {
            let path = "models[\(index)]"
            let entry = try fields.mapping(item, path, keys: ["name", "description", "columns", "tests"])
            guard let nameValue = entry["name"] else { throw ConfigError(file: fields.file, path: path, problem: "missing `name`") }
            let name = try fields.string(nameValue, path + ".name")
            guard let model = models[name] else {
                throw ConfigError(file: fields.file, path: path + ".name", problem: "no model named `\(name)`; models: \(models.keys.sorted().joined(separator: ", "))")
            }
            var columns: [ModelColumn] = []
            for (columnIndex, columnItem) in try fields.list(entry["columns"] ?? [Any](), path + ".columns").enumerated() {
                let columnPath = "\(path).columns[\(columnIndex)]"
                let column = try fields.mapping(columnItem, columnPath, keys: ["name", "description", "tests"])
                guard let columnName = try column["name"].map({ try fields.string($0, columnPath + ".name") }) else {
                    throw ConfigError(file: fields.file, path: columnPath, problem: "missing `name`")
                }
                columns.append(ModelColumn(name: columnName, description: try column["description"].map { try fields.string($0, columnPath + ".description") }))
                for (testIndex, test) in try fields.list(column["tests"] ?? [Any](), columnPath + ".tests").enumerated() {
                    properties.tests += try tests(test, "\(columnPath).tests[\(testIndex)]", model: model, column: columnName)
                }
            }
            for (testIndex, test) in try fields.list(entry["tests"] ?? [Any](), path + ".tests").enumerated() {
                properties.tests += try tests(test, "\(path).tests[\(testIndex)]", model: model, column: nil)
            }
            properties.descriptions[name] = (try entry["description"].map { try fields.string($0, path + ".description") }, columns)
        }
        return properties
    }

    /// One entry of a `tests:` list: `kind` or `{kind: {arguments}}`.
    private func tests(_ item: Any, _ path: String, model: Model, column: String?) throws -> [DataTest] {
        let kind: String, arguments: [String: Any]
        if let name = item as? String {
            (kind, arguments) = (name, [:])
        } else if let entry = item as? [String: Any], entry.count == 1, let (name, value) = entry.first {
            kind = name
            arguments = try fields.mapping(value, "\(path).\(name)", keys: ["where", "values", "to", "field", "columns", "column", "key"])
        } else {
            throw ConfigError(file: fields.file, path: path, problem: "expected a test name or a mapping of one test name to its arguments")
        }
        let argumentsPath = "\(path).\(kind)"
        func text(_ key: String) throws -> String? { try arguments[key].map { try fields.string($0, "\(argumentsPath).\(key)") } }
        func required(_ key: String) throws -> String {
            guard let value = try text(key) else { throw ConfigError(file: fields.file, path: argumentsPath, problem: "missing `\(key)`") }
            return value
        }
        let filter = try text("where")
        func columnOrArgument() throws -> String {
            if let column { return column }
            return try required("column")
        }
        func scd2Key() throws -> String {
            if let key = try text("key") { return key }
            guard let dimension = model.materialization as? SCD2Dimension else {
                throw ConfigError(file: fields.file, path: argumentsPath, problem: "missing `key` (\(model.name) is not materialized=scd2)")
            }
            return dimension.naturalKey
        }
        switch kind {
        case "unique":
            let columns = try column.map { [$0] } ?? fields.strings(arguments["columns"] ?? [Any](), argumentsPath + ".columns")
            guard !columns.isEmpty else { throw ConfigError(file: fields.file, path: argumentsPath, problem: "missing `columns`") }
            return [DataTest(model: model.name, .unique(columns), filter: filter)]
        case "not_null":
            return [DataTest(model: model.name, .notNull(try columnOrArgument()), filter: filter)]
        case "accepted_values":
            guard let values = arguments["values"] else { throw ConfigError(file: fields.file, path: argumentsPath, problem: "missing `values`") }
            return [DataTest(model: model.name, .acceptedValues(try columnOrArgument(), try fields.strings(values, argumentsPath + ".values")), filter: filter)]
        case "relationships":
            let target = try required("to")
            guard models[target] != nil else {
                throw ConfigError(file: fields.file, path: argumentsPath + ".to", problem: "no model named `\(target)`")
            }
            return [DataTest(model: model.name, .relationship(column: try columnOrArgument(), to: target, toColumn: try required("field")), filter: filter)]
        case "one_current_version": return [DataTest(model: model.name, .oneCurrentVersion(key: try scd2Key()), filter: filter)]
        case "no_overlapping_versions": return [DataTest(model: model.name, .noOverlappingVersions(key: try scd2Key()), filter: filter)]
        case "scd2_integrity":
            let key = try scd2Key()
            return [DataTest(model: model.name, .oneCurrentVersion(key: key), filter: filter),
                    DataTest(model: model.name, .noOverlappingVersions(key: key), filter: filter)]
        default:
            throw ConfigError(file: fields.file, path: path, problem: "unknown test `\(kind)`; expected unique, not_null, accepted_values, relationships, one_current_version, no_overlapping_versions or scd2_integrity")
        }
    }
}
