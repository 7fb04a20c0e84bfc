/// Orders cursor values as MongoDB and PostgreSQL would within one kind.
///
/// A `Source` of your own uses it to honour `ExtractRequest.cursorFloor` the way energize's
/// sources do: dates with dates, text with text, ObjectIds with ObjectIds, numbers with numbers.
public enum ValueOrder {
    /// How `a` compares with `b`.
    /// - Parameters:
    ///   - a: a cursor value.
    ///   - b: another cursor value.
    /// - Returns: -1, 0 or 1; `nil` when the values are not comparable (different kinds, or not scalars).
    public static func compare(_ a: Value, _ b: Value) -> Int? {
        func sign<T: Comparable>(_ x: T, _ y: T) -> Int { x < y ? -1 : x > y ? 1 : 0 }
        switch (a, b) {
        case (.date(let x), .date(let y)): return sign(x, y)
        case (.string(let x), .string(let y)): return sign(x, y)
        case (.objectId(let x), .objectId(let y)): return sign(x, y)
        default:
            guard let x = number(a), let y = number(b) else { return nil }
            return sign(x, y)
        }
    }

    static func number(_ value: Value) -> Double? {
        switch value {
        case .int32(let n): Double(n)
        case .int64(let n): Double(n)
        case .double(let d): d
        case .decimal(let text): Double(text)
        default: nil
        }
    }
}
