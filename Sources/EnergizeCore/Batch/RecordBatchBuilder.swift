/// Turns documents into columnar `RecordBatch`es, inferring and widening the schema as it goes.
///
/// Every document passes the stream's `DocumentRules` first; one that breaks them, or
/// holds a value that no column type can share with earlier values of its field, is kept
/// as a `Reject` instead of a row. The builder is not thread-safe: one extraction owns it.
package struct RecordBatchBuilder {
    /// The schema of every typed column seen so far (seeded with the target table's).
    package private(set) var schema: Schema
    private let rules: DocumentRules
    private var storage: [[Value]] = []
    private var rows = 0
    private var bytes = 0
    private var rejects: [Reject] = []
    private let columnLimit: Int

    /// The column that holds, as one JSON document per row, the fields that arrived after
    /// the table reached its column limit (and any source field itself named `_overflow`).
    package static let overflowColumn = "_overflow"

    /// - Parameters:
    ///   - known: the columns the target already has; values must fit them or widen them.
    ///   - rules: what a document must satisfy to become a row.
    ///   - columnLimit: columns a table may get (PostgreSQL rows must fit a page); fields
    ///     beyond it go to `_overflow`, so a document with any number of fields loads whole.
    package init(known: Schema = Schema(), rules: DocumentRules = DocumentRules(), columnLimit: Int = 300) {
        self.schema = known
        self.rules = rules
        self.columnLimit = columnLimit
        self.storage = Array(repeating: [], count: known.columns.count)
    }

    /// Rows buffered since the last `flush()`.
    package var bufferedRows: Int { rows }
    /// Rejects buffered since the last `flush()`.
    package var bufferedRejects: Int { rejects.count }
    /// An estimate of the memory the buffered rows and rejects hold, in bytes: text and binary
    /// lengths, 16 bytes a scalar, nested documents and arrays counted whole.
    package var bufferedBytes: Int { bytes }

    /// Adds one document as a row, or as a reject when it cannot be loaded.
    /// - Returns: `true` when the document became a row.
    @discardableResult
    package mutating func append(_ document: Document) -> Bool {
        bytes += Self.estimatedBytes(document)
        if let reason = rules.violation(in: document) ?? typeConflict(in: document) {
            rejects.append(Reject(documentId: document["_id"].map(DocumentRules.idText), reason: reason, document: document))
            return false
        }
        var overflow: [Field] = []
        for field in document.fields {
            guard let type = ColumnType.of(field.value) else { continue }
            if field.name == Self.overflowColumn
                || (schema.position(of: field.name) == nil && schema.columns.count >= columnLimit) {
                overflow.append(field)
                continue
            }
            place(field.value, of: type, in: field.name)
        }
        if !overflow.isEmpty { place(.document(Document(overflow)), of: .jsonb, in: Self.overflowColumn) }
        rows += 1
        for position in storage.indices where storage[position].count < rows {
            storage[position].append(.null)
        }
        return true
    }

    /// Appends a value to its column, adding or widening the column as needed.
    private mutating func place(_ value: Value, of type: ColumnType, in name: String) {
        let position: Int
        if let existing = schema.position(of: name) {
            position = existing
            let current = schema.columns[existing].type
            if current != type, let wider = current.widened(with: type) {
                schema.upsert(Column(name, wider))
            }
        } else {
            position = schema.columns.count
            schema.upsert(Column(name, type))
            storage.append(Array(repeating: .null, count: rows))
        }
        storage[position].append(value)
    }

    /// Hands out the buffered rows and rejects as a batch and starts a new one.
    package mutating func flush() -> RecordBatch {
        // Every column has exactly `rows` values, so this cannot fail.
        let batch = try! RecordBatch(schema: schema, columns: storage, rejects: rejects, rowCount: rows)
        storage = Array(repeating: [], count: schema.columns.count)
        for position in storage.indices { storage[position].reserveCapacity(rows) }
        rows = 0
        bytes = 0
        rejects = []
        return batch
    }

    /// The estimated bytes of a document (see `bufferedBytes`).
    static func estimatedBytes(_ document: Document) -> Int {
        document.fields.reduce(16) { $0 + $1.name.utf8.count + estimatedBytes($1.value) }
    }

    static func estimatedBytes(_ value: Value) -> Int {
        switch value {
        case .string(let text): 16 + text.utf8.count
        case .decimal(let text): 16 + text.utf8.count
        case .objectId: 24
        case .binary(_, let data): 16 + data.count
        case .document(let child): estimatedBytes(child)
        case .array(let elements): elements.reduce(16) { $0 + estimatedBytes($1) }
        default: 16
        }
    }

    /// The reason `document` cannot share columns with earlier values, or `nil`.
    private func typeConflict(in document: Document) -> String? {
        var seen = Set<String>()
        for field in document.fields {
            if !seen.insert(field.name).inserted {
                return "field `\(field.name)` appears twice in the document"
            }
            guard field.name != Self.overflowColumn, let type = ColumnType.of(field.value), let column = schema[field.name] else { continue }
            if column.type.widened(with: type) == nil {
                let kind = field.value.kindName
                let article = "aeiou".contains(kind.first!) ? "an" : "a"
                return "field `\(field.name)`: \(article) \(kind) value cannot share column type \(column.type.sqlName) with earlier values"
            }
        }
        return nil
    }
}
