import EnergizeCore
import Testing

@Suite struct RecordBatchBuilderTests {
    @Test func infersSchemaAndPadsMissingFieldsWithNull() throws {
        var builder = RecordBatchBuilder()
        builder.append(["a": .int32(1), "b": .string("x")])
        builder.append(["b": .string("y"), "c": .bool(true)])
        let batch = builder.flush()
        #expect(batch.schema.columns == [Column("a", .integer), Column("b", .text), Column("c", .boolean)])
        #expect(batch.columns == [[.int32(1), .null], [.string("x"), .string("y")], [.null, .bool(true)]])
        #expect(batch.rowCount == 2)
    }

    @Test func widensNumbersInsteadOfTruncating() {
        var builder = RecordBatchBuilder()
        builder.append(["n": .int32(1)])
        #expect(builder.schema["n"]?.type == .integer)
        builder.append(["n": .int64(1 << 40)])
        #expect(builder.schema["n"]?.type == .bigint)
        builder.append(["n": .decimal("1.25")])
        #expect(builder.schema["n"]?.type == .numeric)
        let batch = builder.flush()
        #expect(batch.columns[0] == [.int32(1), .int64(1 << 40), .decimal("1.25")])
    }

    @Test func rejectsAValueNoColumnTypeCanShare() {
        var builder = RecordBatchBuilder(known: Schema([Column("q", .integer)]))
        #expect(builder.append(["_id": .objectId("0000000000000000000000ff"), "q": .string("two")]) == false)
        let batch = builder.flush()
        #expect(batch.rowCount == 0)
        #expect(batch.rejects.first?.reason == "field `q`: a string value cannot share column type integer with earlier values")
        #expect(batch.rejects.first?.documentId == "0000000000000000000000ff")
    }

    @Test func rejectsDuplicateFieldNamesAndNulBytes() {
        var builder = RecordBatchBuilder()
        builder.append(Document([Field("a", .int32(1)), Field("a", .int32(2))]))
        builder.append(["s": .string("a\0b")])
        builder.append(["d": .document(["inner": .string("x\0")])])
        let reasons = builder.flush().rejects.map(\.reason)
        #expect(reasons == [
            "field `a` appears twice in the document",
            "field `s` holds a NUL byte, which PostgreSQL text cannot store",
            "field `d.inner` holds a NUL byte, which PostgreSQL text cannot store",
        ])
    }

    @Test func nullOnlyFieldsMakeNoColumnUntilTyped() {
        var builder = RecordBatchBuilder()
        builder.append(["a": .null, "b": .int32(1)])
        #expect(builder.flush().schema.names == ["b"])
        builder.append(["a": .string("now")])
        let batch = builder.flush()
        #expect(batch.schema.names == ["b", "a"])
        #expect(batch.columns == [[.null], [.string("now")]])
    }

    @Test(arguments: [0, 1, 4, 5, 6])
    func flushHandsOutEveryRowOnce(rows: Int) {
        var builder = RecordBatchBuilder()
        for n in 0..<rows { builder.append(["n": .int32(Int32(n))]) }
        let batch = builder.flush()
        #expect(batch.rowCount == rows)
        #expect(builder.flush().rowCount == 0)
    }

    @Test func batchesCheckTheirShape() {
        #expect(throws: EnergizeError.self) {
            try RecordBatch(schema: Schema([Column("a", .integer), Column("b", .integer)]), columns: [[.int32(1)], []])
        }
    }
}
