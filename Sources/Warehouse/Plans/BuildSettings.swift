import EnergizeCore

/// The settings a model build's transaction starts with (the first steps of its plan, shown by
/// `energize compile --plan`), and a reject listing's recording with it:
/// - no JIT compilation (see `WithoutJIT` (EnergizeCore));
/// - `parallel_tuple_cost = 0.001`: a build writes every row its `SELECT` returns, so the rows
///   PostgreSQL's workers pass to the leader are the work itself, not a cost to avoid. At the
///   default (0.1), and with the planner's guess of 100 elements per `jsonb_array_elements`, a
///   745k-line fact was built by one process while the other core waited; with it, the workers
///   type the lines and the leader writes them (BENCHMARKS.md, "Builds with parallel workers").
///   `max_parallel_workers_per_gather` is the server's: 0 there turns this off.
public enum BuildSettings {
    /// The statements, each `SET LOCAL` (for the rest of the current transaction).
    public static let inTransaction = [WithoutJIT.inTransaction, "SET LOCAL parallel_tuple_cost = 0.001"]
}
