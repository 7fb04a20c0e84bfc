import EnergizeCore

/// Cents and the BSON shapes money takes in the source (Decimal128, double or int32).
enum Money {
    /// `1234.50` as decimal text.
    static func text(_ cents: Int) -> String {
        let sign = cents < 0 ? "-" : ""
        let magnitude = abs(cents)
        let fraction = magnitude % 100
        return "\(sign)\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// Money as a Decimal128 or a double, chosen by `random` (both occur in real data).
    static func value(_ cents: Int, _ random: inout SeededRandom, allowInt: Bool = false) -> Value {
        if allowInt && cents % 100 == 0 && random.chance(0.3) { return .int32(Int32(cents / 100)) }
        return random.chance(0.6) ? .decimal(text(cents)) : .double(Double(cents) / 100)
    }

    /// `round(cents * fraction)` half away from zero, in whole cents.
    static func fraction(_ cents: Int, _ fraction: Double) -> Int {
        Int((Double(cents) * fraction).rounded(.toNearestOrAwayFromZero))
    }
}
