internal import CMongoC
import EnergizeCore
import Foundation

/// Reads one collection, optionally only an incremental window (see ``WindowFilter``), in `_id`
/// range pages when it can, else with a single cursor.
///
/// A prefetch thread of its own keeps the server busy: it drains the cursor and copies
/// each reply's raw BSON into chunks, while `next()` decodes the previous chunk on the
/// caller's thread. Memory stays bounded by the chunk queue's depth.
final class MongoCollectionReader: DocumentReader {
    let estimatedCount: Int?
    private let chunks: BoundedQueue<RawChunk>
    private var current: RawChunk?
    private var position = 0
    private let decoder = BSONDecoder()

    init(client: MongoClient, database: String, request: ExtractRequest, options: MongoReadOptions) throws {
        let collection = client.collection(request.stream.collection, in: database)
        var filter = Document()
        if let floor = request.cursorFloor, let cursorField = request.stream.strategy.cursorField {
            filter = WindowFilter.filter(field: cursorField, floor: floor)
        }
        // The first round trip: an unreachable server fails here, with the stream named. The
        // estimate only feeds progress, so a user without the `count` privilege still reads.
        try client.ping(database: database)
        estimatedCount = try? collection.estimatedCount()
        var paged = false
        var empty = false
        if options.pageSize > 0 {
            let idOnly: Document = ["_id": .int32(1)]
            let smallest = try collection.findOne(filter, sort: ["_id": .int32(1)], projection: idOnly)
            let greatest = try collection.findOne(filter, sort: ["_id": .int32(-1)], projection: idOnly)
            if case .objectId = smallest?["_id"], case .objectId = greatest?["_id"] { paged = true }
            empty = smallest == nil
        }
        chunks = BoundedQueue(depth: 4)
        let prefetch = Prefetch(client: client, collection: collection, filter: filter, paged: paged,
                                pageSize: options.pageSize, batchSize: options.batchSize, queue: chunks)
        if empty {
            chunks.finish()
        } else {
            let thread = Thread { prefetch.run() }
            thread.name = "energize.mongo.\(request.stream.collection)"
            thread.start()
        }
    }

    deinit {
        chunks.cancel()
    }

    func next() throws -> Document? {
        while true {
            if let chunk = current, position < chunk.offsets.count {
                defer { position += 1 }
                let start = chunk.offsets[position]
                let end = position + 1 < chunk.offsets.count ? chunk.offsets[position + 1] : chunk.bytes.count
                return chunk.bytes.withUnsafeBufferPointer { buffer in
                    decoder.decode(bytes: buffer.baseAddress! + start, count: end - start)
                }
            }
            guard let chunk = try chunks.take() else { return nil }
            current = chunk
            position = 0
        }
    }
}

/// Raw BSON documents copied out of a cursor: concatenated bytes and where each starts.
struct RawChunk: Sendable {
    var bytes: [UInt8] = []
    var offsets: [Int] = []
}

/// The prefetch side of a reader: owns the client from now on and drains pages into chunks.
private struct Prefetch: @unchecked Sendable {
    // @unchecked Sendable: the client and collection are handed over to the prefetch thread,
    // which is their only user from then on (the reader keeps no reference to them).
    let client: MongoClient
    let collection: MongoCollection
    let filter: Document
    let paged: Bool
    let pageSize: Int
    let batchSize: Int
    let queue: BoundedQueue<RawChunk>

    func run() {
        do {
            var chunk = RawChunk()
            try PagedScan(collection: collection, filter: filter, paged: paged, pageSize: pageSize, batchSize: batchSize).run { bson in
                // The bson_t belongs to the cursor until the next call: copy its bytes now.
                chunk.offsets.append(chunk.bytes.count)
                chunk.bytes.append(contentsOf: UnsafeBufferPointer(start: bson_get_data(bson), count: Int(energize_bson_len(bson))))
                if chunk.offsets.count >= 1_000 {
                    try queue.put(chunk)
                    chunk = RawChunk()
                }
            }
            if !chunk.offsets.isEmpty { try queue.put(chunk) }
            queue.finish()
        } catch {
            queue.finish(error: error)
        }
    }
}
