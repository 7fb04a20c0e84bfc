internal import CMongoC
import EnergizeCore

extension MongoClient {
    /// The server's version (`buildInfo`), e.g. `7.0.12`.
    /// - Throws: `MongoError` when the server cannot be reached or refuses the command.
    public func serverVersion() throws -> String {
        let command = BSONDocument(["buildInfo": .int32(1)])
        return try withBSONError { error in
            let reply = bson_new()!
            defer { bson_destroy(reply) }
            guard mongoc_client_command_simple(handle, "admin", command.pointer, nil, reply, error) else {
                throw MongoError(operation: "buildInfo on \(redactedURI)", error: error)
            }
            if case .string(let version)? = BSONDecoder().decode(reply)["version"] { return version }
            return "unknown"
        }
    }

    /// The names of the collections of `database`, sorted.
    /// - Parameter database: the database to list.
    /// - Throws: `MongoError` when the server cannot be reached or the user may not list them.
    public func collectionNames(in database: String) throws -> [String] {
        let handle = mongoc_client_get_database(self.handle, database)!
        defer { mongoc_database_destroy(handle) }
        // Those the user may read, also without the listCollections privilege (MongoDB 4.0+).
        let options = BSONDocument(["authorizedCollections": .bool(true), "nameOnly": .bool(true)])
        return try withBSONError { error in
            guard let names = mongoc_database_get_collection_names_with_opts(handle, options.pointer, error) else {
                throw MongoError(operation: "list the collections of \(database)", error: error)
            }
            defer { bson_strfreev(names) }
            var result: [String] = []
            var index = 0
            while let name = names[index] {
                result.append(String(cString: name))
                index += 1
            }
            return result.sorted()
        }
    }
}
