internal import CMongoC
internal import CZlib
import EnergizeCore
import Foundation

/// A `Source` that reads collections from a mongodump output folder: `<collection>.bson`
/// or `<collection>.bson.gz` (mongodump `--gzip`), with libbson's `bson_reader`.
///
/// Restoring backups this way goes through the same normalize-and-load path and strategies
/// as live MongoDB; incremental streams keep only documents whose cursor is `>=` the floor
/// (compared as MongoDB compares values of one kind).
public struct MongoDumpSource: Source {
    /// The folder of one database in a dump (`dump/<database>/`).
    public var folder: String

    /// A source reading the dump files of one database.
    /// - Parameter folder: the folder of the database in a dump (`dump/<database>/`).
    public init(folder: String) {
        self.folder = folder
    }

    /// See `Source.openReader(_:)`.
    public func openReader(_ request: ExtractRequest) throws -> any DocumentReader {
        let base = URL(fileURLWithPath: folder).appendingPathComponent(request.stream.collection)
        let candidates = [base.appendingPathExtension("bson").path, base.appendingPathExtension("bson.gz").path]
        guard let path = candidates.first(where: FileManager.default.fileExists(atPath:)) else {
            throw EnergizeError(.sourceFailed, "no \(request.stream.collection).bson or \(request.stream.collection).bson.gz in \(folder)",
                                context: ["stream": request.stream.name, "dump.folder": folder])
        }
        return try MongoDumpReader(path: path, request: request)
    }
}

/// Reads the documents of one dump file in order.
final class MongoDumpReader: DocumentReader {
    private let reader: UnsafeMutablePointer<bson_reader_t>
    private let path: String
    private let decoder = BSONDecoder()
    private let cursorField: String?
    private let floor: Value?
    private var read = 0
    let estimatedCount: Int? = nil

    init(path: String, request: ExtractRequest) throws {
        // gzread reads plain files as they are, so one path serves .bson and .bson.gz.
        guard let file = gzopen(path, "rb") else {
            throw EnergizeError(.sourceFailed, "cannot open \(path): \(String(cString: strerror(errno)))",
                                context: ["stream": request.stream.name])
        }
        gzbuffer(file, 1 << 20)
        let readFunction: bson_reader_read_func_t = { handle, buffer, count in
            let read = gzread(handle?.assumingMemoryBound(to: gzFile_s.self), buffer, UInt32(clamping: count))
            return Int(read)
        }
        let destroyFunction: bson_reader_destroy_func_t = { handle in
            gzclose(handle?.assumingMemoryBound(to: gzFile_s.self))
        }
        reader = bson_reader_new_from_handle(UnsafeMutableRawPointer(file), readFunction, destroyFunction)!
        self.path = path
        cursorField = request.stream.strategy.cursorField
        floor = request.cursorFloor
    }

    deinit {
        bson_reader_destroy(reader)
    }

    func next() throws -> Document? {
        while true {
            var reachedEnd = false
            guard let bson = bson_reader_read(reader, &reachedEnd) else {
                if reachedEnd { return nil }
                throw EnergizeError(.sourceFailed, "\(path) is truncated or corrupt after \(read) documents")
            }
            read += 1
            // The bson_t belongs to the reader until the next read: decode it now.
            let document = decoder.decode(bson)
            if let floor, let cursorField {
                guard let value = document[cursorField], (ValueOrder.compare(value, floor) ?? -1) >= 0 else { continue }
            }
            return document
        }
    }
}
