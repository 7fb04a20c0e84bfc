/// What building one transform in one run does: statements in order, typed and bound, made
/// without touching the database (``Transform/plan(_:)``) and run by the transform runner.
public struct Plan: Sendable, Hashable, CustomStringConvertible {
    /// One statement of a plan.
    public struct Step: Sendable, Hashable {
        /// Whether a step gives the build's row count (the rows it inserted or changed), and how.
        public enum RowCount: Sendable, Hashable {
            /// It does not.
            case none
            /// Its one value (a `SELECT count(*)`).
            case returned
            /// The rows it writes, as the server counts them (its command tag: a `CREATE TABLE
            /// AS`); such a step has no fallback and is no check.
            case written
        }

        /// The statement.
        public var statement: Statement
        /// Whether it gives the build's row count, and how.
        public var rowCount: RowCount
        /// Statements run instead when `statement` fails (a view whose columns changed cannot
        /// be replaced, only dropped and created); empty: a failure fails the build.
        public var otherwise: [Statement]
        /// When set, the statement is a check: a row it returns fails the build (rolled back) with
        /// this message, followed by the row's values.
        public var failure: String?

        /// A step.
        /// - Parameters:
        ///   - statement: what it runs.
        ///   - rowCount: whether it gives the build's row count, and how (`.written`: with no
        ///     `otherwise` and no `failure`).
        ///   - otherwise: what runs instead when it fails.
        ///   - failure: the message of a check that fails when the statement returns a row.
        public init(_ statement: Statement, rowCount: RowCount = .none, otherwise: [Statement] = [], failure: String? = nil) {
            precondition(rowCount != .written || (otherwise.isEmpty && failure == nil),
                         "a step counting the rows it writes has no fallback and is no check")
            self.statement = statement
            self.rowCount = rowCount
            self.otherwise = otherwise
            self.failure = failure
        }
    }

    /// How a build tells whether it changed the relation's rows: what reads the relation is
    /// rebuilt in a later run only after a change (see `ChangeMarks` (EnergizeCore)).
    public enum Changes: Sendable, Hashable {
        /// Every build may change them (a view, a table built again).
        case always
        /// When the counting step reported rows (a dimension's new and closed versions).
        case whenRowsCounted
        /// When this statement, run after the steps (in their transaction), returns true.
        case when(Statement)
    }

    /// The transform's name.
    public var transform: String
    /// How its result is kept (`view`, `table`, `incremental`, `scd2`, `type1`, or a user's).
    public var materialization: String
    /// The statements, in order.
    public var steps: [Step]
    /// Whether the steps run in one transaction (all or nothing).
    public var transactional: Bool
    /// Whether this run's id is recorded as the transform's last run in the same transaction
    /// (what incremental models and dimensions read as `last_run_id` next time).
    public var recordsState: Bool
    /// How the build tells whether it changed the relation's rows.
    public var changes: Changes

    /// A plan.
    /// - Parameters:
    ///   - transform: the transform's name.
    ///   - materialization: the materialization's name.
    ///   - steps: the statements, in order.
    ///   - transactional: whether they run in one transaction.
    ///   - recordsState: whether the run is recorded as the transform's last.
    ///   - changes: how the build tells whether it changed the relation's rows (default: it always may).
    public init(transform: String, materialization: String, steps: [Step], transactional: Bool = true, recordsState: Bool = false,
                changes: Changes = .always) {
        self.transform = transform
        self.materialization = materialization
        self.steps = steps
        self.transactional = transactional
        self.recordsState = recordsState
        self.changes = changes
    }

    /// The plan as a SQL script to read: each statement with its parameters as comments.
    public var description: String {
        var lines = ["-- \(transform) (\(materialization))\(transactional ? ", in one transaction" : "")\(recordsState ? ", records its last run" : "")"]
        for step in steps {
            if let failure = step.failure { lines.append("-- fails the build when this returns a row: \(failure)") }
            let count = switch step.rowCount {
            case .none: ""
            case .returned: "  -- the build's row count"
            case .written: "  -- the rows it writes: the build's row count"
            }
            lines.append(step.statement.script(terminator: ";" + count))
            if !step.otherwise.isEmpty {
                lines.append("-- when that fails:")
                lines += step.otherwise.map { $0.script(terminator: ";") }
            }
        }
        if case .when(let statement) = changes {
            lines.append("-- whether the build changed the rows:")
            lines.append(statement.script(terminator: ";"))
        }
        return lines.joined(separator: "\n")
    }
}

/// What a plan depends on: the run, the transform's state, and its relation in the database.
public struct PlanContext: Sendable, Hashable {
    /// This run's id.
    public var runId: Int64
    /// When the run started, as `timestamptz` text.
    public var runStartedAt: String
    /// The run that last built the transform; 0 before the first.
    public var lastRunId: Int64
    /// Rebuild incremental models from scratch.
    public var fullRefresh: Bool
    /// What the transform's relation is now.
    public var relation: RelationState
    /// Whether a change log the model reads is incomplete since its last run (the logged model
    /// was rebuilt whole): an incremental model then rebuilds whole too.
    public var changeLogsReset: Bool
    /// Whether the model's definition differs from its last build's: an `add` model's sums were
    /// made by the old one, so it is built whole.
    public var definitionChanged: Bool
    /// Whether the model's ``Incremental/rebuildWhen`` query returned a row: it is built whole.
    public var rebuildWhenMet: Bool
    /// The relation's columns in order when it is a table (read for ``Incremental/Strategy/add(deltas:countColumn:)``); empty otherwise.
    public var columns: [String]

    /// A context.
    /// - Parameters:
    ///   - runId: this run's id.
    ///   - runStartedAt: the run's start as `timestamptz` text (e.g. `2026-12-02 03:00:00+00`).
    ///   - lastRunId: the run that last built the transform, 0 before the first.
    ///   - fullRefresh: whether incremental models rebuild from scratch.
    ///   - relation: what the relation is in the database now.
    ///   - changeLogsReset: whether a change log the model reads was reset since its last run.
    ///   - rebuildWhenMet: whether the model's `rebuild_when` query returned a row.
    ///   - columns: the relation's columns, in order, when it is a table.
    public init(runId: Int64, runStartedAt: String, lastRunId: Int64 = 0, fullRefresh: Bool = false, relation: RelationState = .missing,
                changeLogsReset: Bool = false, rebuildWhenMet: Bool = false, columns: [String] = []) {
        self.rebuildWhenMet = rebuildWhenMet
        self.definitionChanged = false
        self.columns = columns
        self.runId = runId
        self.runStartedAt = runStartedAt
        self.lastRunId = lastRunId
        self.fullRefresh = fullRefresh
        self.relation = relation
        self.changeLogsReset = changeLogsReset
    }

    /// The values of the standard parameters (``SQLParameter/runId``, …).
    public var values: [String: String?] {
        [SQLParameter.runId.name: String(runId), SQLParameter.lastRunId.name: String(lastRunId),
         SQLParameter.runStartedAt.name: runStartedAt]
    }
}

/// What a transform's relation is in the database before it builds.
public enum RelationState: Sendable, Hashable {
    /// No such relation.
    case missing
    /// A view.
    case view
    /// A table; `readByViews` when views depend on it (it then keeps its identity across rebuilds).
    case table(readByViews: Bool)
}
