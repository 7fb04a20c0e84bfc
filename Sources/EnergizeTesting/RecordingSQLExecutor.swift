import EnergizeCore
import Foundation

/// A fake `SQLExecutor` that records every statement and its parameters and answers from a
/// script, so that code which runs SQL (a transform runner, a materialization's plan) can be
/// tested without a database.
///
/// A fake for tests: it understands no SQL. Each statement is answered by the first rule whose
/// text it contains, else with no rows; a rule may also fail the statement.
public final class RecordingSQLExecutor: SQLExecutor, @unchecked Sendable {
    // @unchecked Sendable: every property is guarded by `lock`.
    private let lock = NSLock()
    private var recorded: [(sql: String, parameters: [String?])] = []
    private var rules: [(contains: String, answer: Result<[[String?]], any Error>)] = []
    private var closed = false

    /// A recorder with no rules: every statement succeeds with no rows.
    public init() {}

    /// Answers statements whose text contains `fragment` with `rows`.
    /// - Parameters:
    ///   - fragment: a piece of SQL text to match.
    ///   - rows: the rows to return, as text.
    public func answer(_ fragment: String, with rows: [[String?]]) {
        lock.withLock { rules.append((fragment, .success(rows))) }
    }

    /// Fails statements whose text contains `fragment` with `error`.
    /// - Parameters:
    ///   - fragment: a piece of SQL text to match.
    ///   - error: what `run` throws.
    public func fail(_ fragment: String, with error: any Error) {
        lock.withLock { rules.append((fragment, .failure(error))) }
    }

    /// The statements run so far, in order.
    public var statements: [String] { lock.withLock { recorded.map(\.sql) } }

    /// The statements run so far with their parameters.
    public var calls: [(sql: String, parameters: [String?])] { lock.withLock { recorded } }

    /// Whether `close()` was called.
    public var isClosed: Bool { lock.withLock { closed } }

    /// Records the statement and answers it from the first matching rule, else with no rows.
    /// - Parameters:
    ///   - sql: the statement.
    ///   - parameters: its parameters, recorded with it.
    /// - Throws: the error of a matching `fail` rule.
    @discardableResult
    public func run(_ sql: String, _ parameters: [String?]) throws -> [[String?]] {
        let answer: Result<[[String?]], any Error>? = lock.withLock {
            recorded.append((sql, parameters))
            return rules.first { sql.contains($0.contains) }?.answer
        }
        return try answer?.get() ?? []
    }

    /// Records the statement like `run`; the rows written are the first value of the matching
    /// rule's first row (`answer("CREATE TABLE", with: [["3"]])`), else 0.
    public func runCountingWrites(_ sql: String, _ parameters: [String?]) throws -> Int {
        Int(try run(sql, parameters).first?.first.flatMap { $0 } ?? "0") ?? 0
    }

    /// Records that the executor was closed (`isClosed`).
    public func close() {
        lock.withLock { closed = true }
    }
}
