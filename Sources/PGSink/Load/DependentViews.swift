/// Views that read a table, directly or through other views, kept aside while the table's
/// column types widen: PostgreSQL refuses `ALTER COLUMN … TYPE` on a column a view uses.
///
/// Inside the load's transaction the views are dropped (deepest first) and made again from
/// their own definitions (`pg_get_viewdef`) after the change, so readers never miss them.
struct DependentViews {
    /// (qualified name, definition), shallowest first.
    let views: [(name: String, definition: String)]

    /// Reads the views that depend on `table` (a qualified, quoted name).
    init(of table: String, on connection: PGConnection) throws {
        views = try connection.execute("""
            WITH RECURSIVE deps(oid, depth) AS (
              SELECT r.ev_class, 1 FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
              WHERE d.classid = 'pg_rewrite'::regclass AND d.refobjid = to_regclass($1) AND r.ev_class <> d.refobjid
              UNION
              SELECT r.ev_class, deps.depth + 1 FROM deps JOIN pg_depend d ON d.refobjid = deps.oid AND d.classid = 'pg_rewrite'::regclass
              JOIN pg_rewrite r ON r.oid = d.objid WHERE r.ev_class <> deps.oid)
            SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), pg_get_viewdef(c.oid), max(deps.depth)
            FROM deps JOIN pg_class c ON c.oid = deps.oid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind = 'v' GROUP BY 1, 2 ORDER BY 3, 1
            """, [table]).rows.map { ($0[0] ?? "", $0[1] ?? "") }
    }

    /// Drops the views, runs `change`, and makes the views again.
    func around(_ connection: PGConnection, _ change: () throws -> Void) throws {
        for view in views.reversed() { try connection.execute("DROP VIEW IF EXISTS \(view.name)") }
        try change()
        for view in views { try connection.execute("CREATE VIEW \(view.name) AS \(view.definition)") }
    }
}
