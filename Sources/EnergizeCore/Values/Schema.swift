/// A named, typed column of a raw table.
public struct Column: Sendable, Hashable {
    public var name: String
    public var type: ColumnType

    /// Creates a `Column` from its parts.
    public init(_ name: String, _ type: ColumnType) {
        self.name = name
        self.type = type
    }
}

/// The ordered columns of a table or a batch; names are unique.
public struct Schema: Sendable, Hashable {
    public private(set) var columns: [Column]
    private var positions: [String: Int]

    /// Creates a `Schema` from its parts.
    public init(_ columns: [Column] = []) {
        self.columns = []
        self.positions = [:]
        for column in columns { upsert(column) }
    }

    /// The column named `name`, if any.
    public subscript(name: String) -> Column? {
        positions[name].map { columns[$0] }
    }

    /// The position of the column named `name`, if any.
    public func position(of name: String) -> Int? { positions[name] }

    /// Adds `column`, or replaces the type of the existing column with the same name.
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
