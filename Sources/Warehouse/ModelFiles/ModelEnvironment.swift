/// What a project's model files are compiled against: its schemas, its raw tables and its
/// variables.
public struct ModelEnvironment: Sendable, Hashable {
    /// The project's logical schema names (`staging`, `warehouse`, and any it adds) and the
    /// PostgreSQL schemas they stand for. A model's `schema=` setting, or its folder under
    /// `models/`, names one of these keys.
    public var schemas: [String: String]
    /// The logical schema of models that name none and sit in no schema folder.
    public var defaultSchema: String
    /// The schema of the raw tables (`{{ raw('t') }}`).
    public var rawSchema: String
    /// The columns of each raw table that exists; `{{ raw_column('t', 'c') }}` is `NULL` for a
    /// column the table lacks. When nil (compiling without a database), raw tables are not
    /// checked and every raw column is assumed to exist.
    public var rawColumns: [String: Set<String>]?
    /// The raw tables the project's streams load, when known: a raw table that does not exist
    /// is then said to be one not loaded yet, or a name none of them loads.
    public var streamTables: Set<String>?
    /// The project's variables (`{{ var('name') }}`), inserted as quoted SQL literals.
    public var vars: [String: String]

    /// An environment for compiling a project's models.
    /// - Parameters:
    ///   - schemas: logical schema names to PostgreSQL schemas; must hold `defaultSchema`.
    ///   - defaultSchema: the logical schema of models that name none.
    ///   - rawSchema: the PostgreSQL schema of the raw tables.
    ///   - rawColumns: the columns of the raw tables that exist, or nil not to check.
    ///   - streamTables: the raw tables the project's streams load, or nil when unknown.
    ///   - vars: the variables models may read.
    public init(schemas: [String: String], defaultSchema: String = "warehouse", rawSchema: String,
                rawColumns: [String: Set<String>]? = nil, streamTables: Set<String>? = nil, vars: [String: String] = [:]) {
        self.schemas = schemas
        self.defaultSchema = defaultSchema
        self.rawSchema = rawSchema
        self.rawColumns = rawColumns
        self.streamTables = streamTables
        self.vars = vars
    }

    /// A SQL string literal that holds `text` exactly whatever `standard_conforming_strings`
    /// says: `'text'` with quotes doubled, or `E'…'` with backslashes escaped when it holds one.
    static func literal(_ text: String) -> String {
        guard text.contains("\\") else { return "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
        return "E'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "''") + "'"
    }
}
