internal import CMongoC
import EnergizeCore
import Foundation

/// One connection to a MongoDB deployment, owning its `mongoc_client_t`.
///
/// Not thread-safe (libmongoc clients are not): use a client on one thread at a time,
/// and open one per stream.
public final class MongoClient {
    let handle: OpaquePointer
    /// The URI with any password masked, safe to print.
    public let redactedURI: String

    /// Connects lazily to the deployment `uri` names (libmongoc connects on first use).
    /// - Parameters:
    ///   - uri: a MongoDB connection string; errors and `redactedURI` mask its password.
    ///   - appName: the application name the server logs for this client.
    ///   - serverSelectionTimeoutMS: when set, how long an operation waits for a server before
    ///     failing, instead of the URI's setting (for quick checks).
    /// - Throws: `MongoError` when the URI cannot be parsed.
    public init(uri: String, appName: String = "energize", serverSelectionTimeoutMS: Int32? = nil) throws {
        MongoRuntime.ensureInitialized()
        MongoRuntime.protect(uri)
        redactedURI = Redaction.redact(uri)
        let parsed: OpaquePointer = try withBSONError { error in
            guard let parsed = mongoc_uri_new_with_error(uri, error) else {
                var failure = MongoError(operation: "parse the URI \(Redaction.redact(uri))", error: error)
                failure.message = Redaction.scrub(failure.message, connectionString: uri)
                throw failure
            }
            return parsed
        }
        defer { mongoc_uri_destroy(parsed) }
        if let serverSelectionTimeoutMS { _ = mongoc_uri_set_option_as_int32(parsed, "serverSelectionTimeoutMS", serverSelectionTimeoutMS) }
        let client: OpaquePointer = try withBSONError { error in
            guard let client = mongoc_client_new_from_uri_with_error(parsed, error) else {
                throw MongoError(operation: "create a client", error: error)
            }
            return client
        }
        mongoc_client_set_error_api(client, 2)
        mongoc_client_set_appname(client, appName)
        handle = client
    }

    deinit {
        mongoc_client_destroy(handle)
    }

    /// Sends `ping` to check that the server answers.
    /// - Parameter database: the database the command runs in.
    /// - Throws: `MongoError` (transient when the server cannot be reached).
    public func ping(database: String = "admin") throws {
        let command = BSONDocument(["ping": .int32(1)])
        try withBSONError { error in
            let reply = bson_new()
            defer { bson_destroy(reply) }
            guard mongoc_client_command_simple(handle, database, command.pointer, nil, reply, error) else {
                throw MongoError(operation: "ping \(redactedURI)", error: error)
            }
        }
    }

    /// A handle on one collection; valid while this client lives.
    /// - Parameters:
    ///   - name: the collection's name.
    ///   - database: the database holding it.
    public func collection(_ name: String, in database: String) -> MongoCollection {
        MongoCollection(client: self, database: database, name: name)
    }
}
