import ArgumentParser
import Foundation

/// Where the source and the warehouse are: flags, else `ENERGIZE_MONGO_URI` / `ENERGIZE_PG_URI`.
struct ConnectionOptions: ParsableArguments {
    @Option(name: .customLong("mongo-uri"), help: "MongoDB connection string (default: $ENERGIZE_MONGO_URI).")
    var mongoURI: String?

    @Option(name: .customLong("pg-uri"), help: "PostgreSQL connection string (default: $ENERGIZE_PG_URI).")
    var pgURI: String?

    @Option(help: "The MongoDB database.")
    var database: String = "energizetech"

    func resolvedMongoURI() throws -> String {
        if let mongoURI { return mongoURI }
        if let value = ProcessInfo.processInfo.environment["ENERGIZE_MONGO_URI"], !value.isEmpty { return value }
        throw ValidationError("no MongoDB connection string: pass --mongo-uri or set ENERGIZE_MONGO_URI")
    }

    func resolvedPGURI() throws -> String {
        if let pgURI { return pgURI }
        if let value = ProcessInfo.processInfo.environment["ENERGIZE_PG_URI"], !value.isEmpty { return value }
        throw ValidationError("no PostgreSQL connection string: pass --pg-uri or set ENERGIZE_PG_URI")
    }
}
