/// One change of one document, as a change stream reports it: what happened, to which document,
/// the document as it is after the change, and where a stream resumes after it.
public struct ChangeEvent: Sendable, Hashable {
    /// What happened. Besides the document changes, a stream reports the end of what it watches.
    public enum Operation: String, Sendable, Hashable {
        case insert, update, replace, delete
        /// The collection was dropped or renamed, or the stream otherwise ended: it cannot go on.
        case invalidate
        case drop, rename, dropDatabase
        /// An operation this version does not know (it changes no document).
        case other
    }

    /// What happened.
    public var operation: Operation
    /// The changed document's `_id`; nil for an event about the collection itself.
    public var key: Value?
    /// The document after the change (insert, replace, and update when the stream looks it up);
    /// nil for a delete, or when the document was gone by the time the update was looked up.
    public var document: Document?
    /// Where a stream resumes to continue after this event (the event's `_id`).
    public var resumeToken: Document
    /// When the change happened on the server, in milliseconds since the epoch (nil: not reported).
    public var clusterTime: Int64?

    /// An event.
    /// - Parameters:
    ///   - operation: what happened.
    ///   - key: the changed document's `_id`.
    ///   - document: the document after the change, if any.
    ///   - resumeToken: where to resume after the event.
    ///   - clusterTime: when it happened on the server, in milliseconds since the epoch.
    public init(operation: Operation, key: Value?, document: Document?, resumeToken: Document, clusterTime: Int64? = nil) {
        self.operation = operation
        self.key = key
        self.document = document
        self.resumeToken = resumeToken
        self.clusterTime = clusterTime
    }

    /// Whether the event changes a document (insert, update, replace, delete).
    public var changesDocument: Bool {
        [.insert, .update, .replace, .delete].contains(operation)
    }
}
