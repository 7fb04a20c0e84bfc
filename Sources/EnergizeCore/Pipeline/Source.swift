/// Where documents come from: MongoDB, a mongodump folder, an in-memory fake.
public protocol Source: Sendable {
    /// Opens a reader of the documents `request` asks for.
    ///
    /// Called on the stream's own extraction thread; the reader is used on that thread only.
    /// - Parameter request: the stream to extract and its cursor floor.
    /// - Returns: a reader of the matching documents.
    /// - Throws: an error that says whether retrying can help (`RetryClassifying`).
    func openReader(_ request: ExtractRequest) throws -> any DocumentReader
}

/// Reads the documents of one extraction, one at a time, in the source's order.
///
/// Not `Sendable`: a reader belongs to the thread that opened it.
public protocol DocumentReader: AnyObject {
    /// The source's cheap estimate of how many documents the collection holds, for progress.
    var estimatedCount: Int? { get }
    /// The next document, or `nil` at the end.
    func next() throws -> Document?
}
