/// A document that could not be loaded, with the reason, kept whole for the rejects table.
public struct Reject: Sendable, Hashable {
    /// The document's `_id`, as text, when it has one.
    public var documentId: String?
    /// Why the document was rejected; names the field path.
    public var reason: String
    /// The whole document as it was read.
    public var document: Document

    /// A rejected document with its reason.
    /// - Parameters:
    ///   - documentId: the document's `_id` as text, nil when it has none.
    ///   - reason: why it cannot be loaded, naming the field path.
    ///   - document: the whole document as it was read.
    public init(documentId: String?, reason: String, document: Document) {
        self.documentId = documentId
        self.reason = reason
        self.document = document
    }

    /// Why a keyed stream's document did not load: another document of the same load holds its key.
    /// - Parameters:
    ///   - kept: the `_id` (as text) of the document that loaded.
    ///   - keyField: the stream's key field.
    ///   - key: the key's value, as text.
    public static func duplicateKeyReason(kept: String, keyField: String, key: String) -> String {
        "duplicate key: document \(kept) has the same \(keyField) (\(key)) and loaded; "
            + "a keyed stream keeps one document per key, the one with the greatest cursor, else the last read"
    }
}

/// A columnar batch of rows: one value array per schema column, all of one length.
///
/// Batches are checked once, when they are made, and trusted afterwards.
public struct RecordBatch: Sendable {
    /// The columns' names and types, in the order of `columns`.
    public let schema: Schema
    /// One array of values per schema column, each `rowCount` long; `.null` where a row lacks the field.
    public let columns: [[Value]]
    /// The number of rows.
    public let rowCount: Int
    /// Documents of this stretch of the source that go to the rejects table instead.
    public let rejects: [Reject]

    /// A batch of columns, checked against its schema.
    /// - Parameters:
    ///   - schema: the columns' names and types.
    ///   - columns: one value array per schema column, in schema order, all of one length.
    ///   - rejects: the documents of the same stretch of the source that could not become rows.
    ///   - rowCount: the number of rows, needed only when there are no columns (documents with
    ///     no field at all, `{}`, are rows too); else the columns' length.
    /// - Throws: `EnergizeError` with code `.invalidBatch` when the column count does not
    ///   match the schema or the columns differ in length.
    public init(schema: Schema, columns: [[Value]], rejects: [Reject] = [], rowCount: Int? = nil) throws {
        guard columns.count == schema.columns.count else {
            throw EnergizeError(.invalidBatch, "batch has \(columns.count) columns for a schema of \(schema.columns.count)")
        }
        let rowCount = columns.first?.count ?? rowCount ?? 0
        for (index, column) in columns.enumerated() where column.count != rowCount {
            throw EnergizeError(.invalidBatch, "column \(schema.columns[index].name) has \(column.count) values, expected \(rowCount)")
        }
        self.schema = schema
        self.columns = columns
        self.rowCount = rowCount
        self.rejects = rejects
    }

    /// The row at `index` as a document (null values are left out, as missing fields).
    /// - Parameter index: the row, `0..<rowCount`.
    public func row(_ index: Int) -> Document {
        var document = Document()
        for (position, column) in schema.columns.enumerated() {
            let value = columns[position][index]
            if !value.isNull { document.fields.append(Field(column.name, value)) }
        }
        return document
    }
}
