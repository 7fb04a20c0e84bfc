/// Turns documents into columnar `RecordBatch`es, inferring and widening the schema as it goes.
///
/// Every document passes the stream's `DocumentRules` first; one that breaks them, or
/// holds a value that no column type can share with earlier values of its field, is kept
/// as a `Reject` instead of a row. The builder is not thread-safe: one extraction owns it.
public struct RecordBatchBuilder {
    /// The schema of every typed column seen so far (seeded with the target table's).
    public private(set) var schema: Schema
    private let rules: DocumentRules
    private var storage: [[Value]] = []
    private var rows = 0
    private var rejects: [Reject] = []

    /// - Parameters:
    ///   - known: the columns the target already has; values must fit them or widen them.
    ///   - rules: what a document must satisfy to become a row.
    public init(known: Schema = Schema(), rules: DocumentRules = DocumentRules()) {
        self.schema = known
        self.rules = rules
        self.storage = Array(repeating: [], count: known.columns.count)
    }

    /// Rows buffered since the last `flush()`.
    public var bufferedRows: Int { rows }
    /// Rejects buffered since the last `flush()`.
    public var bufferedRejects: Int { rejects.count }

    /// Adds one document as a row, or as a reject when it cannot be loaded.
    /// - Returns: `true` when the document became a row.
    @discardableResult
    public mutating func append(_ document: Document) -> Bool {
        if let reason = rules.violation(in: document) ?? typeConflict(in: document) {
            rejects.append(Reject(documentId: document["_id"].map(DocumentRules.idText), reason: reason, document: document))
            return false
        }
        for field in document.fields {
            guard let type = ColumnType.of(field.value) else { continue }
            let position: Int
            if let existing = schema.position(of: field.name) {
                position = existing
                let current = schema.columns[existing].type
                if current != type, let wider = current.widened(with: type) {
                    schema.upsert(Column(field.name, wider))
                }
            } else {
                position = schema.columns.count
                schema.upsert(Column(field.name, type))
                storage.append(Array(repeating: .null, count: rows))
            }
            storage[position].append(field.value)
        }
        rows += 1
        for position in storage.indices where storage[position].count < rows {
            storage[position].append(.null)
        }
        return true
    }

    /// Hands out the buffered rows and rejects as a batch and starts a new one.
    public mutating func flush() -> RecordBatch {
        // Every column has exactly `rows` values, so this cannot fail.
        let batch = try! RecordBatch(schema: schema, columns: storage, rejects: rejects)
        storage = Array(repeating: [], count: schema.columns.count)
        for position in storage.indices { storage[position].reserveCapacity(rows) }
        rows = 0
        rejects = []
        return batch
    }

    /// The reason `document` cannot share columns with earlier values, or `nil`.
    private func typeConflict(in document: Document) -> String? {
        var seen = Set<String>()
        for field in document.fields {
            if !seen.insert(field.name).inserted {
                return "field `\(field.name)` appears twice in the document"
            }
            guard let type = ColumnType.of(field.value), let column = schema[field.name] else { continue }
            if column.type.widened(with: type) == nil {
                return "field `\(field.name)`: a \(field.value.kindName) value cannot share column type \(column.type.sqlName) with earlier values"
            }
        }
        return nil
    }
}
