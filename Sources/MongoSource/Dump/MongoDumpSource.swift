internal import CMongoC
internal import CZlib
import EnergizeCore
import Foundation

/// A `Source` that reads collections from a mongodump output folder: `<collection>.bson`
/// or `<collection>.bson.gz` (mongodump `--gzip`), with libbson's `bson_reader`.
///
/// Restoring backups this way goes through the same normalize-and-load path and strategies
/// as live MongoDB; incremental streams keep the documents of their window
/// (`ExtractRequest.holds(_:)`, the rule every source keeps).
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

/// Reads the documents of one dump file in order, checking every file boundary and validating
/// every document with libbson.
///
/// A document whose length is sound but whose content is not (a bad type byte, a missing
/// terminator, a string or binary length past its document, broken code-with-scope) becomes a
/// reject that says where it is — `{"offset", "length", "bytes"}` (the raw bytes, base64) — and
/// reading goes on at the next document: nothing invented is loaded, nothing after it is
/// skipped. A length that cannot be (under 5 bytes, over 48 MiB) or that runs past the end of
/// the file leaves no next document to find: the stream fails, and its load rolls back.
final class MongoDumpReader: DocumentReader {
    private let file: gzFile
    private let path: String
    private let decoder = BSONDecoder()
    private let request: ExtractRequest
    private var read = 0
    /// Bytes consumed so far (uncompressed): the next document's offset.
    private var offset = 0
    private var buffer: [UInt8] = []
    private let scratch = energize_bson_child_new()!
    let estimatedCount: Int? = nil

    /// Documents past this size cannot be in a dump (MongoDB's limit is 16 MiB).
    static let maximumLength = 48 << 20

    init(path: String, request: ExtractRequest) throws {
        // gzread reads plain files as they are, so one path serves .bson and .bson.gz.
        guard let file = gzopen(path, "rb") else {
            throw EnergizeError(.sourceFailed, "cannot open \(path): \(String(cString: strerror(errno)))",
                                context: ["stream": request.stream.name])
        }
        gzbuffer(file, 1 << 20)
        self.file = file
        self.path = path
        self.request = request
    }

    deinit {
        gzclose(file)
        energize_bson_child_free(scratch)
    }

    func next() throws -> Document? {
        while true {
            guard let document = try nextDocument() else { return nil }
            if document.sourceIssue == nil, !request.holds(document) { continue }
            return document
        }
    }

    /// The next document of the file, valid or a reject; nil at a clean end.
    private func nextDocument() throws -> Document? {
        let start = offset
        if buffer.count < 4 { buffer = [UInt8](repeating: 0, count: 1 << 16) }
        let header = try fill(0, 4)
        if header == 0 { return nil }
        guard header == 4 else { throw broken("the file ends inside the length of a document at offset \(start) (\(read) documents read): truncated") }
        let length = Int(Int32(littleEndian: buffer.withUnsafeBytes { $0.loadUnaligned(as: Int32.self) }))
        guard length >= 5, length <= Self.maximumLength else {
            throw broken("the document at offset \(start) declares \(length) bytes, which no BSON document has (\(read) documents read before it)")
        }
        if buffer.count < length { buffer += [UInt8](repeating: 0, count: length - buffer.count) }
        let body = try fill(4, length - 4)
        guard body == length - 4 else {
            throw broken("the document at offset \(start) declares \(length) bytes but the file ends after \(body + 4): truncated (\(read) documents read before it)")
        }
        read += 1
        return buffer.withUnsafeBufferPointer { bytes -> Document in
            let base = bytes.baseAddress!
            if let problem = Self.validate(base, count: length, into: scratch) {
                return Document([Field("offset", .int64(Int64(start))), Field("length", .int32(Int32(length))),
                                 Field("bytes", .string(Data(bytes[..<length]).base64EncodedString()))],
                                sourceIssue: "corrupt BSON document at offset \(start) (\(length) bytes): \(problem)")
            }
            return decoder.decode(bytes: base, count: length)
        }
    }

    /// libbson's reason the document is not valid BSON, or nil when it is.
    private static func validate(_ bytes: UnsafePointer<UInt8>, count: Int, into bson: OpaquePointer) -> String? {
        guard bson_init_static(bson, bytes, count) else { return "its length or terminator is wrong" }
        return withBSONError { error in
            // Structure only: text that is not UTF-8 is the decoder's (a reject naming the field).
            bson_validate_with_error(bson, BSON_VALIDATE_NONE, error) ? nil : String(cString: energize_error_message(error))
        }
    }

    /// Reads up to `count` bytes of the file into `buffer` at `position`; returns how many
    /// (fewer only at the file's end).
    private func fill(_ position: Int, _ count: Int) throws -> Int {
        var filled = 0
        while filled < count {
            let got = buffer.withUnsafeMutableBytes { raw in
                gzread(file, raw.baseAddress!.advanced(by: position + filled), UInt32(clamping: count - filled))
            }
            if got < 0 {
                var code: Int32 = 0
                throw broken("cannot read the file at offset \(offset + filled): \(String(cString: gzerror(file, &code)))")
            }
            if got == 0 { break }
            filled += Int(got)
        }
        offset += filled
        return filled
    }

    private func broken(_ problem: String) -> EnergizeError {
        EnergizeError(.sourceFailed, "\(path): \(problem)", context: ["dump.file": path], retryability: .terminal)
    }
}
