/// A small deterministic generator (SplitMix64): the same seed gives the same data everywhere.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Creates a `SeededRandom` from its parts.
    public init(seed: UInt64) {
        state = seed
    }

    /// See `RandomNumberGenerator.next()`.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `true` with probability `p`.
    public mutating func chance(_ p: Double) -> Bool {
        Double.random(in: 0..<1, using: &self) < p
    }

    /// A uniformly chosen element.
    public mutating func pick<T>(_ items: [T]) -> T {
        items[Int.random(in: 0..<items.count, using: &self)]
    }

    /// A deterministic ObjectId (hex): a timestamp in seconds then 8 random bytes.
    public mutating func objectId(seconds: Int64) -> String {
        let time = String(UInt32(truncatingIfNeeded: seconds), radix: 16)
        let tail = String(next(), radix: 16)
        return String(repeating: "0", count: 8 - time.count) + time + String(repeating: "0", count: 16 - tail.count) + tail
    }
}
