import EnergizeCore

/// The query of an incremental stream's window (`ExtractRequest.holds(_:)`, the rule every
/// source keeps): the documents whose cursor is `>=` the floor, and those without a cursor
/// (missing or `null`, which `{field: null}` matches). No window would ever hold the latter;
/// read on every run, they go whole to `_rejects` with their reason.
///
/// A cursor of another BSON kind than the floor (a date written as text) is outside every
/// window too: MongoDB's `$gte` compares within a kind. Reading those as well (`$type` branches)
/// is cheap on MongoDB with an index on the cursor, but made a run on the local wire server 20×
/// slower (it evaluates `$type` document by document); like a cursor moved back in time, it is
/// what `energize verify` finds (a document neither in the table nor rejected).
enum WindowFilter {
    /// The filter of a window starting at `floor` on `field`.
    /// - Parameters:
    ///   - field: the cursor field (a dotted path for a nested one).
    ///   - floor: the window's first cursor value.
    static func filter(field: String, floor: Value) -> Document {
        ["$or": .array([.document([field: .document(["$gte": floor])]), .document([field: .null])])]
    }
}
