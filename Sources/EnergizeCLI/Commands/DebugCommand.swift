import ArgumentParser
import EnergizeCore
import Foundation
import MongoSource
import PGSink

/// `energize debug`: checks the project and both connections before a first run.
struct DebugCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "debug",
        abstract: "Check the project, both connections, server versions, the privileges energize needs and the configured collections.",
        discussion: "Exits 1 when a check fails; every check prints one line." + " " + ExitStatus.help)

    @OptionGroup var options: ConfigOptions

    func run() throws {
        var failures = 0
        func check(_ label: String, _ body: () throws -> String) {
            do {
                print("ok    \(label): \(try body())")
            } catch {
                failures += 1
                print("FAIL  \(label): \(error)")
            }
        }
        print("energize debug")
        let config: EnergizeConfig
        do {
            config = try options.load()
            print("ok    configuration: \(config.file) (pipeline \(config.pipeline), \(config.streams.count) stream\(config.streams.count == 1 ? "" : "s"))")
        } catch {
            print("FAIL  configuration: \(error)")
            throw ExitCode(1)
        }
        check("models") {
            let project = try ProjectModels(config: config, rawColumns: nil)
            return "\(project.graph.models.count) models and \(project.tests.count) data tests compile (\(config.path(config.modelsDirectory)))"
        }
        check("schemas") {
            ["raw", "staging", "warehouse", "meta"].map { "\($0) \(config.schema($0))" }.joined(separator: ", ")
        }
        checkPostgreSQL(config, check)
        if let folder = config.dumpFolder {
            check("source") {
                let missing = config.streams.filter { stream in
                    !["bson", "bson.gz"].contains { FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent("\(stream.collection).\($0)")) }
                }.map(\.collection)
                guard missing.isEmpty else { throw CLIError.failed("no dump file for \(missing.joined(separator: ", ")) in \(folder)") }
                return "mongodump folder \(folder) has every stream's collection"
            }
        } else {
            checkMongoDB(config, check)
        }
        print(failures == 0 ? "all checks passed" : "\(failures) check\(failures == 1 ? "" : "s") failed")
        if failures > 0 { throw ExitCode(1) }
    }

    private func checkPostgreSQL(_ config: EnergizeConfig, _ check: (String, () throws -> String) -> Void) {
        var connection: PGConnection?
        check("postgresql") {
            let opened = try PGConnection(try config.requirePG())
            connection = opened
            let row = try opened.execute("SELECT current_setting('server_version'), current_user, current_database()").rows.first ?? []
            return "\(opened.redactedConnectionString): PostgreSQL \(row[0] ?? "?") as \(row[1] ?? "?") on database \(row[2] ?? "?")"
        }
        guard let connection else { return }
        defer { connection.close() }
        check("postgresql privileges") {
            var missing: [String] = []
            let database = try connection.execute("""
                SELECT has_database_privilege(current_user, current_database(), 'CREATE'), has_database_privilege(current_user, current_database(), 'TEMP')
                """).rows.first ?? []
            if database.count > 1, database[1] != "t" { missing.append("TEMP on the database (transforms use temporary tables)") }
            var present: [String] = []
            for name in ["raw", "staging", "warehouse", "meta"] + config.modelSchemas.keys.filter({ !["staging", "warehouse"].contains($0) }).sorted() {
                let schema = config.schema(name)
                let row = try connection.execute("""
                    SELECT has_schema_privilege(current_user, n.oid, 'CREATE'), has_schema_privilege(current_user, n.oid, 'USAGE')
                    FROM pg_namespace n WHERE n.nspname = $1
                    """, [schema]).rows.first
                if let row {
                    present.append(schema)
                    if row[0] != "t" || row[1] != "t" { missing.append("USAGE and CREATE on schema \(schema)") }
                } else if database.first != "t" {
                    missing.append("CREATE on the database (schema \(schema) does not exist yet)")
                }
            }
            guard missing.isEmpty else { throw CLIError.failed("missing " + missing.joined(separator: "; ")) }
            return "can create and use every schema the project writes (existing: \(present.isEmpty ? "none yet" : present.joined(separator: ", ")))"
        }
        check("raw tables") {
            _ = try ProjectModels(config: config, rawColumns: try ProjectModels.rawColumnsWithStreams(connection, config: config))
            return "every {{ raw() }} of the models names a stream's table or one in \(config.rawSchema)"
        }
    }

    private func checkMongoDB(_ config: EnergizeConfig, _ check: (String, () throws -> String) -> Void) {
        var client: MongoClient?
        check("mongodb") {
            let opened = try MongoClient(uri: try config.requireMongo())
            try opened.ping()
            client = opened
            return "\(opened.redactedURI): MongoDB \(try opened.serverVersion())"
        }
        guard let client else { return }
        check("collections") {
            let existing = Set(try client.collectionNames(in: config.sourceDatabase))
            let missing = config.streams.map(\.collection).filter { !existing.contains($0) }
            guard missing.isEmpty else {
                throw CLIError.failed("database \(config.sourceDatabase) has no collection \(missing.joined(separator: ", ")) (a run would load an empty table); it has \(existing.isEmpty ? "no collection at all" : existing.sorted().joined(separator: ", "))")
            }
            for stream in config.streams { _ = try client.collection(stream.collection, in: config.sourceDatabase).findOne() }
            return "database \(config.sourceDatabase) has every stream's collection, and they can be read"
        }
    }
}
