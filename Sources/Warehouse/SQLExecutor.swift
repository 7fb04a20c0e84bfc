/// Runs SQL for the transform layer; PostgreSQL connections implement it.
///
/// The warehouse only assembles and orders SQL: set-based statements run inside the
/// database, and no warehouse row passes through the process.
public protocol SQLExecutor: AnyObject {
    /// Runs one statement with text parameters; returns the rows as text.
    func run(_ sql: String, _ parameters: [String?]) throws -> [[String?]]
}
