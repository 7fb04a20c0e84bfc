internal import CMongoC
import EnergizeCore
import Foundation

/// One collection of a `MongoClient`; valid while its client lives, used on the client's thread.
public final class MongoCollection {
    let client: MongoClient
    let handle: OpaquePointer
    /// The database holding the collection.
    public let database: String
    /// The collection's name.
    public let name: String

    init(client: MongoClient, database: String, name: String) {
        self.client = client
        self.database = database
        self.name = name
        handle = mongoc_client_get_collection(client.handle, database, name)
    }

    deinit {
        mongoc_collection_destroy(handle)
    }

    var namespace: String { "\(database).\(name)" }

    /// Opens a cursor over the documents matching `filter`.
    /// - Parameters:
    ///   - filter: a MongoDB query document; empty matches every document.
    ///   - sort: e.g. `["_id": .int32(1)]`.
    ///   - projection: the fields to return, e.g. `["_id": .int32(1)]`; nil for all.
    ///   - limit: at most this many documents (0: no limit).
    ///   - batchSize: documents per server reply.
    public func find(_ filter: Document = Document(), sort: Document? = nil, projection: Document? = nil,
                     limit: Int = 0, batchSize: Int = 0) -> MongoCursor {
        var options = Document()
        if let sort { options.fields.append(Field("sort", .document(sort))) }
        if let projection { options.fields.append(Field("projection", .document(projection))) }
        if limit > 0 { options.fields.append(Field("limit", .int64(Int64(limit)))) }
        if batchSize > 0 { options.fields.append(Field("batchSize", .int32(Int32(clamping: batchSize)))) }
        let filterBSON = BSONDocument(filter)
        let optionsBSON = BSONDocument(options)
        let cursor = mongoc_collection_find_with_opts(handle, filterBSON.pointer, optionsBSON.pointer, nil)!
        return MongoCursor(handle: cursor, operation: "find in \(namespace)")
    }

    /// The first document matching `filter` in `sort` order, or `nil`.
    /// - Parameters:
    ///   - filter: a MongoDB query document; empty matches every document.
    ///   - sort: the order, e.g. `["_id": .int32(-1)]`; nil for the server's.
    ///   - projection: the fields to return; nil for all.
    /// - Throws: `MongoError` when the query fails.
    public func findOne(_ filter: Document = Document(), sort: Document? = nil, projection: Document? = nil) throws -> Document? {
        let cursor = find(filter, sort: sort, projection: projection, limit: 1)
        return try cursor.next()
    }

    /// The collection's size from its metadata (fast, approximate).
    /// - Throws: `MongoError` when the server refuses the count.
    public func estimatedCount() throws -> Int {
        try withBSONError { error in
            let count = mongoc_collection_estimated_document_count(handle, nil, nil, nil, error)
            if count < 0 { throw MongoError(operation: "count \(namespace)", error: error) }
            return Int(count)
        }
    }

    /// The exact number of documents matching `filter`.
    /// - Parameter filter: a MongoDB query document; empty counts every document.
    /// - Throws: `MongoError` when the count fails.
    public func count(_ filter: Document = Document()) throws -> Int {
        let filterBSON = BSONDocument(filter)
        return try withBSONError { error in
            let count = mongoc_collection_count_documents(handle, filterBSON.pointer, nil, nil, nil, error)
            if count < 0 { throw MongoError(operation: "count \(namespace)", error: error) }
            return Int(count)
        }
    }

    /// Inserts documents in one round trip (unordered).
    /// - Parameter documents: the documents; none is no round trip at all.
    /// - Throws: `MongoError` when the server rejects the insert.
    public func insertMany(_ documents: [Document]) throws {
        guard !documents.isEmpty else { return }
        let encoded = documents.map(BSONDocument.init)
        var pointers: [OpaquePointer?] = encoded.map { $0.pointer }
        let options = BSONDocument(["ordered": .bool(false)])
        try withBSONError { error in
            let ok = pointers.withUnsafeMutableBufferPointer { buffer in
                mongoc_collection_insert_many(handle, buffer.baseAddress, buffer.count, options.pointer, nil, error)
            }
            if !ok { throw MongoError(operation: "insert into \(namespace)", error: error) }
        }
        withExtendedLifetime(encoded) {}
    }

    /// Replaces the document matching `filter` by `replacement` (whole-document update).
    /// - Parameters:
    ///   - filter: a MongoDB query document naming the document (usually by `_id`).
    ///   - replacement: the new document.
    /// - Throws: `MongoError` when the update fails.
    public func replaceOne(_ filter: Document, with replacement: Document) throws {
        let filterBSON = BSONDocument(filter)
        let replacementBSON = BSONDocument(replacement)
        try withBSONError { error in
            if !mongoc_collection_replace_one(handle, filterBSON.pointer, replacementBSON.pointer, nil, nil, error) {
                throw MongoError(operation: "replace in \(namespace)", error: error)
            }
        }
    }

    /// Deletes every document matching `filter`.
    /// - Parameter filter: a MongoDB query document; empty deletes every document.
    /// - Throws: `MongoError` when the delete fails.
    public func deleteMany(_ filter: Document) throws {
        let filterBSON = BSONDocument(filter)
        try withBSONError { error in
            if !mongoc_collection_delete_many(handle, filterBSON.pointer, nil, nil, error) {
                throw MongoError(operation: "delete from \(namespace)", error: error)
            }
        }
    }

    /// Drops the collection; dropping one that does not exist is not an error.
    /// - Throws: `MongoError` when the server refuses the drop.
    public func drop() throws {
        try withBSONError { error in
            if !mongoc_collection_drop_with_opts(handle, nil, error) {
                let message = String(cString: energize_error_message(error))
                if message.contains("ns not found") || energize_error_code(error) == 26 { return }
                throw MongoError(operation: "drop \(namespace)", error: error)
            }
        }
    }
}

/// A server-side cursor; documents are decoded as they arrive.
public final class MongoCursor {
    let handle: OpaquePointer
    let operation: String
    private let decoder = BSONDecoder()

    init(handle: OpaquePointer, operation: String) {
        self.handle = handle
        self.operation = operation
    }

    deinit {
        mongoc_cursor_destroy(handle)
    }

    /// The next document, or `nil` at the end.
    /// - Throws: `MongoError` when the query or a `getMore` fails.
    public func next() throws -> Document? {
        var bson: OpaquePointer?
        if mongoc_cursor_next(handle, &bson), let bson {
            // The bson_t belongs to the cursor and is valid until the next call: decode it now.
            return decoder.decode(bson)
        }
        try withBSONError { error in
            if mongoc_cursor_error(handle, error) { throw MongoError(operation: operation, error: error) }
        }
        return nil
    }
}
