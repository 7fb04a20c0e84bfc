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
    /// - Throws: `MongoError` when the URI cannot be parsed.
    public init(uri: String, appName: String = "energize") throws {
        MongoRuntime.ensureInitialized()
        redactedURI = URIRedaction.redact(uri)
        let parsed: OpaquePointer = try withBSONError { error in
            guard let parsed = mongoc_uri_new_with_error(uri, error) else {
                throw MongoError(operation: "parse the URI \(URIRedaction.redact(uri))", error: error)
            }
            return parsed
        }
        defer { mongoc_uri_destroy(parsed) }
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
    public func collection(_ name: String, in database: String) -> MongoCollection {
        MongoCollection(client: self, database: database, name: name)
    }
}

/// Masks the password of a connection URI: `mongodb://user:***@host/db`.
public enum URIRedaction {
    /// The URI with the password of its user-info part replaced by `***`.
    public static func redact(_ uri: String) -> String {
        guard let scheme = uri.range(of: "://") else { return uri }
        let rest = uri[scheme.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard let at = authority.lastIndex(of: "@") else { return uri }
        let userInfo = authority[..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return uri }
        return String(uri[..<scheme.upperBound]) + userInfo[..<colon] + ":***" + rest[at...]
    }
}
