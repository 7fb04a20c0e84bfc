internal import CMongoC
import EnergizeCore
import Foundation

/// A change stream over one collection (`mongoc_collection_watch` with `fullDocument:
/// updateLookup`): the inserts, updates, replaces and deletes after a resume token, or after
/// the moment it opened. Valid while its collection's client lives; used on that client's thread.
public final class MongoChangeStream {
    private let collection: MongoCollection
    private let handle: OpaquePointer
    private let decoder = BSONDecoder()

    /// Opens the stream.
    /// - Parameters:
    ///   - collection: the collection watched.
    ///   - resumeAfter: a token an earlier stream gave (``resumeToken`` or an event's); nil: from now.
    ///   - batchSize: events per server reply (0: the server's default).
    ///   - maxAwaitMilliseconds: how long the server may hold a `getMore` while no change comes.
    /// - Throws: `MongoError` when the server refuses the stream (its code tells a lost history,
    ///   see ``MongoError/isResumeImpossible``).
    public init(collection: MongoCollection, resumeAfter: Document? = nil, batchSize: Int = 0, maxAwaitMilliseconds: Int = 1_000) throws {
        self.collection = collection
        var options: Document = ["fullDocument": .string("updateLookup"), "maxAwaitTimeMS": .int64(Int64(maxAwaitMilliseconds))]
        if batchSize > 0 { options["batchSize"] = .int32(Int32(clamping: batchSize)) }
        if let resumeAfter { options["resumeAfter"] = .document(resumeAfter) }
        let pipeline = BSONDocument(["pipeline": .array([])])
        let optionsBSON = BSONDocument(options)
        handle = mongoc_collection_watch(collection.handle, pipeline.pointer, optionsBSON.pointer)
        try withBSONError { error in
            if mongoc_change_stream_error_document(handle, error, nil) {
                let failure = MongoError(operation: "watch \(collection.namespace)", error: error)
                mongoc_change_stream_destroy(handle)
                throw failure
            }
        }
    }

    deinit {
        mongoc_change_stream_destroy(handle)
    }

    /// The next change, or nil when none is waiting (after the server held the request up to
    /// `maxAwaitMilliseconds`).
    /// - Throws: `MongoError` when the stream fails: a lost connection, a history the server no
    ///   longer has, a token it does not know.
    public func next() throws -> ChangeEvent? {
        var bson: OpaquePointer?
        if mongoc_change_stream_next(handle, &bson), let bson {
            // The bson_t belongs to the stream and is valid until the next call: decode it now.
            return Self.event(decoder.decode(bson))
        }
        try withBSONError { error in
            if mongoc_change_stream_error_document(handle, error, nil) {
                throw MongoError(operation: "change stream on \(collection.namespace)", error: error)
            }
        }
        return nil
    }

    /// Where a new stream resumes to continue after what this one returned: the last event's
    /// token, or the server's token for the point it has read up to (nil before the server sent one).
    public var resumeToken: Document? {
        guard let token = mongoc_change_stream_get_resume_token(handle) else { return nil }
        return decoder.decode(token)
    }

    /// A resume token as bytes to keep (its BSON), for ``token(bytes:)`` to read back exactly.
    /// - Parameter token: a token an event or a stream gave.
    public static func bytes(of token: Document) -> Data {
        BSONDocument(token).bytes
    }

    /// The resume token that ``bytes(of:)`` made.
    /// - Parameter bytes: the kept bytes.
    public static func token(bytes: Data) -> Document {
        bytes.withUnsafeBytes { buffer in
            guard let base = buffer.bindMemory(to: UInt8.self).baseAddress else { return Document() }
            return BSONDecoder().decode(bytes: base, count: buffer.count)
        }
    }

    /// A change event document as a ``ChangeEvent``: the key from the full document when there is
    /// one (a server may report `documentKey._id` in another type), values as a batch read gives them.
    static func event(_ raw: Document) -> ChangeEvent {
        let operation: ChangeEvent.Operation
        switch raw["operationType"] {
        case .string(let name)?: operation = ChangeEvent.Operation(rawValue: name) ?? .other
        default: operation = .other
        }
        let document: Document? = if case .document(let full)? = raw["fullDocument"] { ServerJSON.normalized(full) } else { nil }
        var key = document?["_id"]
        if key == nil, case .document(let documentKey)? = raw["documentKey"] { key = documentKey["_id"].map(ServerJSON.normalized) }
        let token: Document = if case .document(let id)? = raw["_id"] { id } else { Document() }
        var clusterTime: Int64?
        if case .document(let timestamp)? = raw["clusterTime"], case .document(let parts)? = timestamp["$timestamp"],
           case .int64(let seconds)? = parts["t"] {
            clusterTime = seconds * 1_000
        } else if case .date(let wall)? = raw["wallTime"] {
            clusterTime = wall
        }
        return ChangeEvent(operation: operation, key: key, document: operation == .delete ? nil : document,
                           resumeToken: token, clusterTime: clusterTime)
    }
}

extension MongoCollection {
    /// Opens a change stream on the collection; see ``MongoChangeStream/init(collection:resumeAfter:batchSize:maxAwaitMilliseconds:)``.
    /// - Parameters:
    ///   - resumeAfter: a token an earlier stream gave; nil: from now.
    ///   - batchSize: events per server reply (0: the server's default).
    ///   - maxAwaitMilliseconds: how long the server may hold a `getMore` while no change comes.
    /// - Throws: `MongoError` when the server refuses the stream.
    public func watch(resumeAfter: Document? = nil, batchSize: Int = 0, maxAwaitMilliseconds: Int = 1_000) throws -> MongoChangeStream {
        try MongoChangeStream(collection: self, resumeAfter: resumeAfter, batchSize: batchSize, maxAwaitMilliseconds: maxAwaitMilliseconds)
    }
}
