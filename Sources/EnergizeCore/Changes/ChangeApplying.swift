/// A stream load that can also delete rows by their document's `_id`: what a change stream's
/// deletes need. Not `Sendable`, as ``StreamLoad``.
public protocol ChangeApplying: StreamLoad {
    /// Deletes, when the load commits, the rows of the documents with these `_id`s (and their
    /// current rejects); keys without a row are no error.
    /// - Parameter keys: the deleted documents' `_id` values.
    func delete(keys: [Value]) throws
}
