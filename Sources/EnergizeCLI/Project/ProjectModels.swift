import Foundation
import PGSink
import Warehouse

/// A project's warehouse: its model files compiled against its schemas and raw tables, their
/// descriptions, and its data tests (declared in `models/*.yml` and written in `tests/*.sql`).
struct ProjectModels {
    let graph: ModelGraph
    let tests: [DataTest]
    /// The project's analyses (`analyses/*.sql`), compiled.
    let analyses: [Analysis]
    /// The compiler the models were compiled with, and the models, for queries of the project's own (dashboard panels).
    private let compiler: ModelCompiler
    private let models: [Model]

    /// Compiles the project's models and tests.
    /// - Parameters:
    ///   - config: the project's configuration.
    ///   - rawColumns: the columns of each raw table that exists, or nil to compile without a database.
    /// - Throws: `ModelFileError`, `ConfigError` or `ModelGraph.Invalid`, naming the file and the problem.
    init(config: EnergizeConfig, rawColumns: [String: Set<String>]?) throws {
        let environment = ModelEnvironment(schemas: config.modelSchemas, rawSchema: config.rawSchema, rawColumns: rawColumns,
                                           streamTables: Set(config.streams.map(\.table)), vars: config.modelVars)
        let compiler = ModelCompiler(environment: environment)
        let modelsFolder = config.path(config.modelsDirectory)
        var models = try Self.exists(modelsFolder) ? compiler.compile(try ModelFile.folder(modelsFolder)) : []
        var tests: [DataTest] = []
        var byName = Dictionary(models.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for file in try Self.propertyFiles(modelsFolder) {
            let properties = try ModelPropertiesReader(fields: YAMLFields(file: file), models: byName).read(try YAMLFields.read(file, as: file))
            for (name, described) in properties.descriptions {
                byName[name]?.description = described.description
                byName[name]?.columns = described.columns
            }
            tests += properties.tests
        }
        models = models.map { byName[$0.name]! }
        let testsFolder = config.path(config.testsDirectory)
        if Self.exists(testsFolder) {
            tests += try compiler.compileTests(try ModelFile.folder(testsFolder), models: models)
        }
        var names = Set<String>()
        for test in tests where !names.insert(test.name).inserted {
            throw ConfigError(file: modelsFolder, path: "", problem: "the data test \(test.name) is declared twice")
        }
        graph = try ModelGraph(models)
        self.tests = tests
        let analysesFolder = config.path(config.analysesDirectory)
        analyses = Self.exists(analysesFolder) ? try compiler.compileAnalyses(try ModelFile.folder(analysesFolder), models: models) : []
        self.compiler = compiler
        self.models = models
    }

    /// Compiles a `SELECT` of the project's own (macros as in analyses).
    /// - Parameters:
    ///   - name: what it is called in errors.
    ///   - sql: the query's text.
    ///   - path: the file it comes from, for errors.
    func compileQuery(name: String, sql: String, path: String) throws -> Analysis {
        try compiler.compileAnalyses([ModelFile(name: name, text: sql, path: path)], models: models)[0]
    }

    private static func exists(_ folder: String) -> Bool {
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) && isFolder.boolValue
    }

    /// The `.yml` and `.yaml` files under the models folder, sorted.
    private static func propertyFiles(_ folder: String) throws -> [String] {
        guard exists(folder), let walker = FileManager.default.enumerator(atPath: folder) else { return [] }
        return walker.compactMap { $0 as? String }.filter { $0.hasSuffix(".yml") || $0.hasSuffix(".yaml") }.sorted()
            .map { (folder as NSString).appendingPathComponent($0) }
    }

    /// The raw tables there, and the tables of the configured streams not loaded yet (columns
    /// unknown: none), so that a project compiles before its first load — for what only shows
    /// it (`docs`, `serve`, `debug`), not for a build.
    /// - Parameters:
    ///   - connection: the warehouse connection.
    ///   - config: the project's configuration.
    static func rawColumnsWithStreams(_ connection: PGConnection, config: EnergizeConfig) throws -> [String: Set<String>] {
        var columns = try rawColumns(connection, schema: config.rawSchema)
        for stream in config.streams where columns[stream.table] == nil { columns[stream.table] = [] }
        return columns
    }

    /// The columns of every table of the raw schema.
    static func rawColumns(_ connection: PGConnection, schema: String) throws -> [String: Set<String>] {
        var columns: [String: Set<String>] = [:]
        for row in try connection.execute("""
            SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = $1
            """, [schema]).rows {
            if let table = row[0], let column = row[1] { columns[table, default: []].insert(column) }
        }
        return columns
    }
}
