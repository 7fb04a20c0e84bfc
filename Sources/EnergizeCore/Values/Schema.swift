/// A named, typed column of a raw table.
public struct Column: Sendable, Hashable {
    /// The column's name, as PostgreSQL stores it (for a source field, the field's name).
    public var name: String
    /// The column's type.
    public var type: ColumnType

    /// A column.
    /// - Parameters:
    ///   - name: the column's name.
    ///   - type: its type.
    public init(_ name: String, _ type: ColumnType) {
        self.name = name
        self.type = type
    }
}

/// The ordered columns of a table or a batch; names are unique.
public struct Schema: Sendable, Hashable {
    /// The columns, in order.
    public private(set) var columns: [Column]
    private var positions: [String: Int]

    /// A schema of `columns`, in order; a repeated name keeps its first position and its last type.
    /// - Parameter columns: the columns.
    public init(_ columns: [Column] = []) {
        self.columns = []
        self.positions = [:]
        for column in columns { upsert(column) }
    }

    /// The column named `name`, if any.
    /// - Parameter name: a column name.
    public subscript(name: String) -> Column? {
        positions[name].map { columns[$0] }
    }

    /// The position of the column named `name`, if any.
    /// - Parameter name: a column name.
    public func position(of name: String) -> Int? { positions[name] }

    /// Adds `column`, or replaces the type of the existing column with the same name.
    /// - Parameter column: the column to add, or the new type of an existing one.
    public mutating func upsert(_ column: Column) {
        if let index = positions[column.name] {
            columns[index].type = column.type
        } else {
            positions[column.name] = columns.count
            columns.append(column)
        }
    }

    /// The column names, in order.
    public var names: [String] { columns.map(\.name) }
}
