import EnergizeCore

/// One node of a project's warehouse: something with a name and a relation, built after the
/// transforms it depends on, that plans what building it in a run does.
///
/// ``Model`` (a `SELECT` kept by a ``Materialization``) is the transform projects are made
/// of; a Swift package can add its own (a stored procedure, an export) to the same graph.
public protocol Transform: Sendable {
    /// The relation's name, unique in a project.
    var name: String { get }
    /// The PostgreSQL schema it is built in.
    var schema: String { get }
    /// The transforms it reads (they build first).
    var dependencies: [String] { get }
    /// How its result is kept, for run history (`view`, `table`, …).
    var materializationName: String { get }
    /// What building it does in the run `context` describes; does no I/O.
    /// - Parameter context: the run, the transform's last run, and its relation's state.
    /// - Returns: the statements to run, bound.
    /// - Throws: ``PlanError`` when it cannot be planned.
    func plan(_ context: PlanContext) throws -> Plan
}

extension Transform {
    /// The quoted, qualified relation name.
    public var relation: String { SQLIdentifier.qualified(schema, name) }
}
