import ArgumentParser
import Foundation
import EnergizeCore
import PGSink

/// The project's configuration file and the flags that override it.
struct ConfigOptions: ParsableArguments {
    @Option(help: "The project's folder (default: the current folder); its energize.yml is read.")
    var project: String?

    @Option(help: "The configuration file (default: energize.yml in the project's folder).")
    var config: String?

    @Option(name: .customLong("mongo-uri"), help: "MongoDB connection string (overrides the file and $ENERGIZE_MONGO_URI).")
    var mongoURI: String?

    @Option(name: .customLong("pg-uri"), help: "PostgreSQL connection string (overrides the file and $ENERGIZE_PG_URI).")
    var pgURI: String?

    @Option(help: "The MongoDB database.")
    var database: String?

    @Option(help: "Schema of the raw tables and _rejects.")
    var rawSchema: String?

    /// The configuration file these options name.
    var configFile: String {
        config ?? ((project ?? ".") as NSString).appendingPathComponent("energize.yml")
    }

    /// The configuration: the file's, then the environment, then these flags.
    /// - Throws: `ValidationError` when there is no file, `ConfigError` when it is wrong.
    func load() throws -> EnergizeConfig {
        let file = configFile
        guard FileManager.default.fileExists(atPath: file) else {
            let folder = URL(fileURLWithPath: project ?? FileManager.default.currentDirectoryPath).path
            throw ConfigurationMissing(config != nil ? "no configuration file \(file)"
                : "no energize.yml in \(folder): run `energize init` to scaffold a project there, or pass --project DIR or --config FILE")
        }
        var loaded = try ConfigReader(file: URL(fileURLWithPath: file).path, environment: ProcessInfo.processInfo.environment).read()
        if let mongoURI { loaded.mongoURI = mongoURI }
        if let pgURI { loaded.pgURI = pgURI }
        if let database { loaded.database = database }
        if let rawSchema { loaded.rawSchema = rawSchema }
        return loaded
    }
}

extension EnergizeConfig {
    /// The PostgreSQL connection string, or an error saying where to give one.
    func requirePG() throws -> String {
        guard let pgURI, !pgURI.isEmpty else {
            throw ConfigurationMissing("no PostgreSQL connection string: set destination.pg_uri in \(file), ENERGIZE_PG_URI, or --pg-uri")
        }
        if let scheme = Redaction.scheme(of: pgURI), !["postgresql", "postgres"].contains(scheme) {
            throw ConfigurationMissing("the PostgreSQL connection string (destination.pg_uri in \(file), ENERGIZE_PG_URI or --pg-uri) is a "
                                       + "\(scheme):// URI: expected postgresql://… or libpq's key=value form")
        }
        let what = "the PostgreSQL connection string (destination.pg_uri in \(file), ENERGIZE_PG_URI or --pg-uri)"
        try Self.checkPasswordEncoding(pgURI, what)
        if let problem = ConnectionStringCheck.problem(in: pgURI) { throw ConfigurationMissing("\(what) cannot be read: \(problem)") }
        return pgURI
    }

    /// The MongoDB connection string, or an error saying where to give one.
    func requireMongo() throws -> String {
        guard let mongoURI, !mongoURI.isEmpty else {
            throw ConfigurationMissing("no MongoDB connection string: set source.mongo_uri in \(file), ENERGIZE_MONGO_URI, or --mongo-uri")
        }
        if let scheme = Redaction.scheme(of: mongoURI), !["mongodb", "mongodb+srv"].contains(scheme) {
            throw ConfigurationMissing("the MongoDB connection string (source.mongo_uri in \(file), ENERGIZE_MONGO_URI or --mongo-uri) is a "
                                       + "\(scheme):// URI: expected mongodb://… or mongodb+srv://…")
        }
        try Self.checkPasswordEncoding(mongoURI, "the MongoDB connection string (source.mongo_uri in \(file), ENERGIZE_MONGO_URI or --mongo-uri)")
        return mongoURI
    }

    /// Refuses a URI whose password holds a character a URI must percent-encode: the driver would
    /// read a piece of the password as the host or port, and print it in its error.
    /// - Parameters:
    ///   - uri: the connection string.
    ///   - what: which string, as the message names it.
    /// - Throws: `ConfigurationMissing` naming the string, without it, and how to encode.
    static func checkPasswordEncoding(_ uri: String, _ what: String) throws {
        guard Redaction.hasUnencodedPassword(uri) else { return }
        throw ConfigurationMissing("\(what) is not a valid URI: its password seems to hold a character a URI must percent-encode; "
                                   + "write @ as %40, / as %2F, ? as %3F, # as %23 and : as %3A (or use libpq's key=value form for PostgreSQL)")
    }
}
