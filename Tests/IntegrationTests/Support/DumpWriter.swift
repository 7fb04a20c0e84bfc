import CMongoC
import CZlib
import Foundation

/// Writes mongodump-style `.bson` files with libbson, for BSON types the local server cannot store.
final class DumpWriter {
    private var documents: [OpaquePointer] = []

    deinit {
        documents.forEach { bson_destroy($0) }
    }

    /// Adds a document built by `fill` (it appends fields to the `bson_t` with libbson).
    func add(_ fill: (OpaquePointer) -> Void) {
        let document = bson_new()!
        fill(document)
        documents.append(document)
    }

    /// The concatenated documents, as mongodump writes them.
    var bytes: Data {
        var data = Data()
        for document in documents {
            data.append(bson_get_data(document), count: Int(energize_bson_len(document)))
        }
        return data
    }

    /// Writes `<folder>/<collection>.bson`, or `.bson.gz` when `gzip` is set.
    func write(to folder: URL, collection: String, gzip: Bool = false) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent(collection + (gzip ? ".bson.gz" : ".bson"))
        if !gzip { return try bytes.write(to: url) }
        guard let file = gzopen(url.path, "wb") else { throw CocoaError(.fileWriteUnknown) }
        defer { gzclose(file) }
        let data = bytes
        _ = data.withUnsafeBytes { gzwrite(file, $0.baseAddress, UInt32($0.count)) }
    }
}
