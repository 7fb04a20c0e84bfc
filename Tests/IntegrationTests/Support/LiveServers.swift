import EnergizeCore
import Foundation
import MongoSource
import PGSink

/// The servers `make test` starts. Live tests run when `ENERGIZE_LIVE_TESTS=1` or `CI=true`
/// (then a missing or unreachable server fails them) or when both URIs are set.
enum LiveServers {
    static let environment = ProcessInfo.processInfo.environment

    static var enabled: Bool {
        environment["ENERGIZE_LIVE_TESTS"] == "1" || environment["CI"] == "true"
            || (environment["ENERGIZE_PG_URI"] != nil && environment["ENERGIZE_MONGO_URI"] != nil)
    }

    struct Missing: Error, CustomStringConvertible {
        let description: String
    }

    static func pgURI() throws -> String {
        guard let uri = environment["ENERGIZE_PG_URI"], !uri.isEmpty else {
            throw Missing(description: "ENERGIZE_PG_URI is not set: run the tests with `make test`, which starts PostgreSQL")
        }
        return uri
    }

    static func mongoURI() throws -> String {
        guard let uri = environment["ENERGIZE_MONGO_URI"], !uri.isEmpty else {
            throw Missing(description: "ENERGIZE_MONGO_URI is not set: run the tests with `make test`, which starts the MongoDB wire-protocol server")
        }
        return uri
    }

    /// A connection to the test PostgreSQL, after dropping and recreating `schemas`.
    static func freshSchemas(_ schemas: [String]) throws -> PGConnection {
        let connection = try PGConnection(try pgURI())
        for schema in schemas {
            try connection.execute("DROP SCHEMA IF EXISTS \(SQLIdentifier.quote(schema)) CASCADE")
        }
        return connection
    }

    /// Drops the collections of a test database (never the database: the local server would wipe them all).
    static func freshCollections(_ database: String, _ names: [String]) throws -> MongoClient {
        let client = try MongoClient(uri: try mongoURI())
        try client.ping()
        for name in names { try client.collection(name, in: database).drop() }
        return client
    }

    /// Stops a server a test started: SIGTERM, then SIGKILL after a two-second grace (the
    /// local MongoDB wire-protocol server may ignore SIGTERM), and waits for it to end.
    static func stop(_ process: Process) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        for _ in 0..<20 where process.isRunning { Thread.sleep(forTimeInterval: 0.1) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
