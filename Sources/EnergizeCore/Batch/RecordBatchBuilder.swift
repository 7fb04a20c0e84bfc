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
    /// The names of the last documents' fields by index, and their schema positions (`position(of:at:)`).
    private var recentNames: [String] = []
    private var recentPositions: [Int] = []
    /// The schema position of each field of the document being appended (-1: not in the schema).
    private var fieldPositions: [Int] = []
    /// Per schema column, the number of the last document that had it (`documentStamp`), to find repeats.
    private var stamps: [UInt32] = []
    private var documentStamp: UInt32 = 0

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
        for (index, field) in document.fields.enumerated() {
            guard let type = ColumnType.of(field.value) else { continue }
            // Set by `typeConflict(in:)`; a column it did not know may have been added since.
            let position = fieldPositions[index] >= 0 ? fieldPositions[index] : schema.position(of: field.name)
            if field.name == Self.overflowColumn || (position == nil && schema.columns.count >= columnLimit) {
                overflow.append(field)
                continue
            }
            place(field.value, of: type, in: field.name, at: position)
        }
        if !overflow.isEmpty { place(.document(Document(overflow)), of: .jsonb, in: Self.overflowColumn, at: schema.position(of: Self.overflowColumn)) }
        rows += 1
        for position in storage.indices where storage[position].count < rows {
            storage[position].append(.null)
        }
        return true
    }

    /// The schema position of the field named `name`, the `index`-th of its document: documents
    /// of a collection mostly list their fields in one order, so the position the same name had
    /// at that index in the document before is reused without hashing the name.
    private mutating func position(of name: String, at index: Int) -> Int? {
        if index < recentNames.count, recentNames[index] == name { return recentPositions[index] }
        guard let position = schema.position(of: name) else { return nil }
        if index < recentNames.count {
            recentNames[index] = name
            recentPositions[index] = position
        } else if index == recentNames.count {
            recentNames.append(name)
            recentPositions.append(position)
        }
        return position
    }

    /// Appends a value to its column, adding or widening the column as needed.
    /// - Parameters:
    ///   - value: the value.
    ///   - type: its column type.
    ///   - name: the field's name.
    ///   - known: the column's position when the schema has it already.
    private mutating func place(_ value: Value, of type: ColumnType, in name: String, at known: Int?) {
        let position: Int
        if let existing = known {
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

    /// The reason `document` cannot share columns with earlier values, or `nil`; leaves each
    /// field's schema position in `fieldPositions` (-1 for a field the schema does not have).
    private mutating func typeConflict(in document: Document) -> String? {
        fieldPositions.removeAll(keepingCapacity: true)
        documentStamp &+= 1
        if documentStamp == 0 {
            // Wrapped around: no stamp may be mistaken for this document's.
            stamps = Array(repeating: 0, count: stamps.count)
            documentStamp = 1
        }
        if stamps.count < schema.columns.count { stamps += Array(repeating: 0, count: schema.columns.count - stamps.count) }
        var allKnown = true
        for (index, field) in document.fields.enumerated() {
            guard let position = position(of: field.name, at: index) else {
                fieldPositions.append(-1)
                allKnown = false
                continue
            }
            fieldPositions.append(position)
            // Two fields of one name have one position: a field is repeated when its column was seen in this document.
            if stamps[position] == documentStamp { return Self.repeatedFieldReason(field.name) }
            stamps[position] = documentStamp
            if let reason = Self.conflict(field, column: schema.columns[position]) { return reason }
        }
        // A field the schema does not have yet: the repeats among those are found by name.
        return allKnown ? nil : Self.typeConflictByName(in: document, schema: schema)
    }

    /// What `typeConflict(in:)` answers, by comparing names (for documents with new fields).
    private static func typeConflictByName(in document: Document, schema: Schema) -> String? {
        // Few fields are compared pairwise; many are hashed.
        var seen = Set<String>()
        let hashed = document.fields.count > 24
        for (index, field) in document.fields.enumerated() {
            if hashed ? !seen.insert(field.name).inserted : DocumentRules.isRepeated(index, in: document.fields) {
                return repeatedFieldReason(field.name)
            }
            if let column = schema[field.name], let reason = conflict(field, column: column) { return reason }
        }
        return nil
    }

    private static func repeatedFieldReason(_ name: String) -> String {
        "field `\(name)` appears twice in the document"
    }

    /// Why `field`'s value cannot go into `column`, or nil when it can.
    private static func conflict(_ field: Field, column: Column) -> String? {
        guard field.name != overflowColumn, let type = ColumnType.of(field.value), column.type.widened(with: type) == nil else { return nil }
        let kind = field.value.kindName
        let article = "aeiou".contains(kind.first!) ? "an" : "a"
        return "field `\(field.name)`: \(article) \(kind) value cannot share column type \(column.type.sqlName) with earlier values"
    }
}
