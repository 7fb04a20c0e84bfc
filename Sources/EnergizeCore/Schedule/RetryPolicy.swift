/// How a failed stream is retried: transient failures only, with exponential back-off and jitter.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts after the first (0: no retry).
    public var retries: Int
    /// The wait before the first retry, in seconds; doubled for each further one.
    public var initialDelay: Double
    /// The longest wait, in seconds.
    public var maxDelay: Double
    /// The share of each wait drawn at random (0…1), so retrying clients do not move in step.
    public var jitter: Double

    /// A policy; negative values count as 0 and `jitter` is kept within 0…1.
    /// - Parameters:
    ///   - retries: attempts after the first (0: no retry).
    ///   - initialDelay: the wait before the first retry, in seconds; doubled for each further one.
    ///   - maxDelay: the longest wait, in seconds.
    ///   - jitter: the share of each wait drawn at random (0…1).
    public init(retries: Int = 0, initialDelay: Double = 5, maxDelay: Double = 300, jitter: Double = 0.2) {
        self.retries = max(0, retries)
        self.initialDelay = max(0, initialDelay)
        self.maxDelay = max(0, maxDelay)
        self.jitter = min(max(jitter, 0), 1)
    }

    /// No retries.
    public static let none = RetryPolicy()

    /// The wait before retry number `attempt` (1-based), in seconds.
    /// - Parameters:
    ///   - attempt: the retry's number, 1 for the first.
    ///   - random: a number in 0..<1 that draws the jitter (random by default).
    public func delay(beforeRetry attempt: Int, random: Double = Double.random(in: 0..<1)) -> Double {
        let base = min(maxDelay, initialDelay * pow2(attempt - 1))
        return base * (1 - jitter) + base * jitter * random
    }

    private func pow2(_ exponent: Int) -> Double {
        var value = 1.0
        for _ in 0..<max(0, min(exponent, 62)) { value *= 2 }
        return value
    }
}
