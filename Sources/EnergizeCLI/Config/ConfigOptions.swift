import ArgumentParser
import Foundation

/// The configuration file and the flags that override it.
struct ConfigOptions: ParsableArguments {
    @Option(help: "Configuration file (default: energize.yml in the current folder when it exists).")
    var config: String?

    @Option(name: .customLong("mongo-uri"), help: "MongoDB connection string (overrides the file and $ENERGIZE_MONGO_URI).")
    var mongoURI: String?

    @Option(name: .customLong("pg-uri"), help: "PostgreSQL connection string (overrides the file and $ENERGIZE_PG_URI).")
    var pgURI: String?

    @Option(help: "The MongoDB database.")
    var database: String?

    @Option(help: "Schema of the raw tables and _rejects.")
    var rawSchema: String?

    /// The configuration: the file's (or the defaults), then the environment, then these flags.
    func load() throws -> EnergizeConfig {
        var loaded = EnergizeConfig()
        let environment = ProcessInfo.processInfo.environment
        if let config {
            loaded = try ConfigReader(file: config, environment: environment).read()
        } else if FileManager.default.fileExists(atPath: "energize.yml") {
            loaded = try ConfigReader(file: "energize.yml", environment: environment).read()
        } else {
            loaded = try ConfigReader(file: "(defaults)", environment: environment).parse("")
        }
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
            throw ValidationError("no PostgreSQL connection string: set destination.pg_uri in energize.yml, ENERGIZE_PG_URI, or --pg-uri")
        }
        return pgURI
    }

    /// The MongoDB connection string, or an error saying where to give one.
    func requireMongo() throws -> String {
        guard let mongoURI, !mongoURI.isEmpty else {
            throw ValidationError("no MongoDB connection string: set source.mongo_uri in energize.yml, ENERGIZE_MONGO_URI, or --mongo-uri")
        }
        return mongoURI
    }
}
