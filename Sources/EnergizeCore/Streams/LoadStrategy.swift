/// How far back an incremental stream re-reads before its watermark, so late updates land.
public struct Lookback: Sendable, Hashable, CustomStringConvertible {
    /// The window in milliseconds (cursor values are BSON dates or numbers).
    public var milliseconds: Int64

    /// A window of `milliseconds`.
    /// - Parameter milliseconds: how far back to re-read, in milliseconds (the unit of BSON
    ///   dates; numeric cursors are shifted by the same number).
    public init(milliseconds: Int64) { self.milliseconds = milliseconds }
    /// A window of whole days.
    /// - Parameter days: how many days back to re-read.
    public static func days(_ days: Int) -> Lookback { Lookback(milliseconds: Int64(days) * 86_400_000) }
    /// A window of whole hours.
    /// - Parameter hours: how many hours back to re-read.
    public static func hours(_ hours: Int) -> Lookback { Lookback(milliseconds: Int64(hours) * 3_600_000) }
    /// No window: re-read from the watermark itself.
    public static let none = Lookback(milliseconds: 0)

    /// The window as `7d`, `2h` or `1500ms`.
    public var description: String {
        if milliseconds % 86_400_000 == 0 { return "\(milliseconds / 86_400_000)d" }
        if milliseconds % 3_600_000 == 0 { return "\(milliseconds / 3_600_000)h" }
        return "\(milliseconds)ms"
    }
}

/// How a stream's extracted documents replace what its table held.
///
/// Strategies are values: a sink turns them into statements, and
/// `cutoff(watermark:)` says which documents the source must read.
public enum LoadStrategy: Sendable, Hashable {
    /// The table's content becomes exactly the collection's, atomically.
    case replace
    /// Rows are added; nothing is deleted.
    case append
    /// Rows whose key is extracted again are replaced; others are kept.
    case merge(key: String)
    /// Extract documents with `cursor >= max(cursor in target) - lookback`, delete target rows
    /// with `cursor >= cutoff` and rows whose key is extracted, then insert.
    case incremental(cursor: String, key: String, lookback: Lookback)

    /// The cursor field, for an incremental stream.
    public var cursorField: String? {
        if case .incremental(let cursor, _, _) = self { return cursor }
        return nil
    }

    /// The key field, for merge and incremental streams.
    public var keyField: String? {
        switch self {
        case .merge(let key), .incremental(_, let key, _): key
        case .replace, .append: nil
        }
    }

    /// Fields every document of the stream must have, non-null.
    public var requiredFields: [String] {
        [keyField, cursorField].compactMap { $0 }
    }

    /// The cutoff: documents with `cursor >= cutoff` are extracted and target rows with
    /// `cursor >= cutoff` deleted. `nil` means extract everything (first run, or not incremental).
    /// - Parameter watermark: the greatest cursor value in the target before the run.
    public func cutoff(watermark: Value?) -> Value? {
        guard case .incremental(_, _, let lookback) = self, let watermark else { return nil }
        switch watermark {
        case .date(let ms): return .date(ms - lookback.milliseconds)
        case .int32(let n): return .int64(Int64(n) - lookback.milliseconds)
        case .int64(let n): return .int64(n - lookback.milliseconds)
        case .double(let d): return .double(d - Double(lookback.milliseconds))
        default: return watermark
        }
    }

    /// A short description for summaries: `replace`, `merge(order_id)`,
    /// `incremental(updated_at, key order_id, look-back 7d)`.
    public var summary: String {
        switch self {
        case .replace: "replace"
        case .append: "append"
        case .merge(let key): "merge(\(key))"
        case .incremental(let cursor, let key, let lookback): "incremental(\(cursor), key \(key), look-back \(lookback))"
        }
    }
}
