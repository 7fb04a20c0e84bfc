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

    @Test func fieldsInAnotherOrderOrRepeatedAfterTheSchemaIsKnown() {
        var builder = RecordBatchBuilder()
        builder.append(["a": .int32(1), "b": .string("x")])
        // Same names in another order: each value lands in its own column.
        builder.append(["b": .string("y"), "a": .int32(2)])
        // A repeat of a known field, and a repeat of a field the schema does not have yet.
        builder.append(Document([Field("b", .string("z")), Field("a", .int32(3)), Field("b", .string("w"))]))
        builder.append(Document([Field("a", .int32(4)), Field("new", .int32(1)), Field("new", .int32(2))]))
        // A conflict found through the position the name had in the document before.
        builder.append(["b": .string("v"), "a": .string("four")])
        let batch = builder.flush()
        #expect(batch.columns == [[.int32(1), .int32(2)], [.string("x"), .string("y")]])
        #expect(batch.rejects.map(\.reason) == [
            "field `b` appears twice in the document",
            "field `new` appears twice in the document",
            "field `a`: a string value cannot share column type integer with earlier values",
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

@Suite struct RecordBatchBuilderLimitTests {
    @Test func fieldsBeyondTheColumnLimitGoToOverflow() {
        var builder = RecordBatchBuilder(columnLimit: 2)
        builder.append(["a": .int32(1), "b": .int32(2), "c": .string("x"), "_overflow": .int32(9)])
        builder.append(["a": .int32(3), "d": .bool(true)])
        let batch = builder.flush()
        #expect(batch.schema.names == ["a", "b", "_overflow"])
        #expect(batch.columns[2] == [.document(["c": .string("x"), "_overflow": .int32(9)]), .document(["d": .bool(true)])])
    }

    @Test func datesPostgresCannotHoldAreRejected() {
        var builder = RecordBatchBuilder()
        builder.append(["d": .date(CivilTime.milliseconds(year: 294_276, month: 12, day: 31))])
        builder.append(["d": .date(CivilTime.milliseconds(year: 294_277, month: 1, day: 1))])
        builder.append(["nested": .document(["d": .date(.max)])])   // inside JSON a date is text: fine
        let batch = builder.flush()
        #expect(batch.rowCount == 2)
        #expect(batch.rejects.map(\.reason) == ["field `d`: date +294277-01-01T00:00:00.000Z is outside PostgreSQL's timestamptz range (4714-11-24 BC to 294276-12-31)"])
    }

    @Test func sourceIssuesAndRepeatedNestedKeysAreRejected() {
        var builder = RecordBatchBuilder()
        builder.append(Document([Field("s", .string("\u{FFFD}"))], sourceIssue: "field `s` holds text that is not valid UTF-8"))
        builder.append(["d": .document(Document([Field("k", .int32(1)), Field("k", .int32(2))]))])
        #expect(builder.flush().rejects.map(\.reason) == ["field `s` holds text that is not valid UTF-8",
                                                          "field `d.k` appears twice in its document, which jsonb cannot keep"])
    }
}
