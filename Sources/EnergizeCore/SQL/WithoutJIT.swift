/// Energize's statements run without PostgreSQL's JIT compilation: model builds, incremental
/// runs, data tests, reject recordings and loads. LLVM cost more than it saved on every statement
/// measured — a 745k-line fact built in 3.0 s instead of 4.3 s, and 220 of the 235 ms a day's load
/// spent comparing its re-extracted rows (BENCHMARKS.md, "Builds without JIT", "Loads without JIT"):
/// the planner's estimates of energize's statements are often far above the rows they touch.
public enum WithoutJIT {
    /// Turns JIT off for the rest of the current transaction.
    public static let inTransaction = "SET LOCAL jit = off"
    /// Turns JIT off for the rest of the session (statements run outside a transaction).
    public static let inSession = "SET jit = off"
}
