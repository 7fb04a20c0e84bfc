import EnergizeCore
@testable import PGSink
import Testing

@Suite struct LoadStatementsTests {
    func statements(_ strategy: LoadStrategy, cutoff: Bool = true) -> LoadStatements {
        LoadStatements(target: #""raw"."sales""#, stage: #""energize_stage""#, columns: ["sale_id", "status", "updated_at"],
                       strategy: strategy, hasCutoff: cutoff)
    }

    @Test func incrementalDeletesTheWindowAndReextractedKeys() {
        let sql = statements(.incremental(cursor: "updated_at", key: "sale_id", lookback: .days(7)))
        #expect(sql.unchangedKeys == #"CREATE TEMP TABLE energize_unchanged ON COMMIT DROP AS SELECT s."sale_id" FROM "energize_stage" s JOIN "raw"."sales" t ON t."sale_id" = s."sale_id" WHERE (t."updated_at" >= $1 OR t."sale_id" IN (SELECT "sale_id" FROM "energize_stage")) AND (s."sale_id", s."status", s."updated_at") IS NOT DISTINCT FROM (t."sale_id", t."status", t."updated_at")"#)
        #expect(sql.delete == #"DELETE FROM "raw"."sales" t WHERE (t."updated_at" >= $1 OR t."sale_id" IN (SELECT "sale_id" FROM "energize_stage")) AND NOT EXISTS (SELECT 1 FROM energize_unchanged u WHERE u."sale_id" = t."sale_id")"#)
        #expect(sql.insert == #"INSERT INTO "raw"."sales" ("sale_id", "status", "updated_at", "_loaded_at", "_run_id") SELECT "sale_id", "status", "updated_at", now(), $1 FROM "energize_stage" s WHERE NOT EXISTS (SELECT 1 FROM energize_unchanged u WHERE u."sale_id" = s."sale_id")"#)
        #expect(sql.usesCutoff)
        #expect(sql.deduplicate == #"DELETE FROM "energize_stage" s USING (SELECT ctid AS row_ctid, row_number() OVER (PARTITION BY "sale_id" ORDER BY "updated_at" DESC NULLS LAST, ctid DESC) AS rank FROM "energize_stage") d WHERE s.ctid = d.row_ctid AND d.rank > 1"#)
    }

    /// A document whose newer version this load rejected keeps its loaded row, inside the window too.
    @Test func theWindowKeepsTheRowsOfDocumentsThisLoadRejected() {
        var sql = statements(.incremental(cursor: "updated_at", key: "sale_id", lookback: .days(7)))
        sql.idColumn = "_id"
        #expect(sql.delete == #"DELETE FROM "raw"."sales" t WHERE ((t."updated_at" >= $1 AND NOT EXISTS (SELECT 1 FROM energize_rejects r WHERE r.document_id = t."_id"::text)) OR t."sale_id" IN (SELECT "sale_id" FROM "energize_stage")) AND NOT EXISTS (SELECT 1 FROM energize_unchanged u WHERE u."sale_id" = t."sale_id")"#)
    }

    @Test func firstIncrementalRunHasNoCutoff() {
        let sql = statements(.incremental(cursor: "updated_at", key: "sale_id", lookback: .days(7)), cutoff: false)
        #expect(sql.delete == #"DELETE FROM "raw"."sales" t WHERE t."sale_id" IN (SELECT "sale_id" FROM "energize_stage") AND NOT EXISTS (SELECT 1 FROM energize_unchanged u WHERE u."sale_id" = t."sale_id")"#)
        #expect(!sql.usesCutoff)
    }

    /// A reload replaces every row, whatever the strategy: a keyed stream still keeps one staged row
    /// per key and the rows read again unchanged; without a key, every row goes.
    @Test func aReloadReplacesEveryRowButThoseReadAgainUnchanged() {
        var sql = statements(.incremental(cursor: "updated_at", key: "sale_id", lookback: .days(7)), cutoff: false)
        sql.reload = true
        #expect(sql.delete == #"DELETE FROM "raw"."sales" t WHERE TRUE AND NOT EXISTS (SELECT 1 FROM energize_unchanged u WHERE u."sale_id" = t."sale_id")"#)
        #expect(sql.differences.contains(#"EXCEPT ALL SELECT "sale_id", "status", "updated_at" FROM "raw"."sales" t WHERE TRUE"#))
        #expect(sql.deduplicate != nil && !sql.usesCutoff)
        var append = statements(.append, cutoff: false)
        append.reload = true
        #expect(append.delete == #"DELETE FROM "raw"."sales" t WHERE TRUE"#)
        append.stageIsEmpty = true
        #expect(append.delete == #"DELETE FROM "raw"."sales" t WHERE TRUE"#)
        // A replace stream's reload is its usual load: every row replaced, the table truncated.
        var replace = statements(.replace, cutoff: false)
        replace.reload = true
        replace.idColumn = "_id"
        #expect(replace.replacedRows == "TRUE" && replace.delete == #"TRUNCATE "raw"."sales""#)
        // A rejected document keeps its last loaded row, in a reload too.
        append.idColumn = "_id"
        #expect(append.delete == #"DELETE FROM "raw"."sales" t WHERE NOT EXISTS (SELECT 1 FROM energize_rejects r WHERE r.document_id = t."_id"::text)"#)
    }

    @Test func anEmptyExtractionDeletesOnlyTheWindow() {
        var sql = statements(.incremental(cursor: "updated_at", key: "sale_id", lookback: .days(7)))
        sql.stageIsEmpty = true
        #expect(sql.delete == #"DELETE FROM "raw"."sales" t WHERE t."updated_at" >= $1"#)
        #expect(sql.deduplicate == nil && sql.insert == nil && sql.unchangedKeys == nil)
        #expect(sql.differences == #"SELECT 0, (SELECT count(*) FROM "raw"."sales" t WHERE t."updated_at" >= $1)"#)
        sql.hasCutoff = false
        #expect(sql.delete == nil && !sql.usesCutoff)
        var replace = statements(.replace)
        replace.stageIsEmpty = true
        #expect(replace.delete == #"TRUNCATE "raw"."sales""#)
    }

    @Test func replaceTruncatesAndAppendDeletesNothing() {
        #expect(statements(.replace).delete == #"TRUNCATE "raw"."sales""#)
        #expect(statements(.replace).deduplicate == nil)
        #expect(statements(.append).delete == nil)
        #expect(statements(.append).differences == #"SELECT (SELECT count(*) FROM "energize_stage"), 0"#)
        #expect(statements(.merge(key: "sale_id")).delete == #"DELETE FROM "raw"."sales" t WHERE t."sale_id" IN (SELECT "sale_id" FROM "energize_stage") AND NOT EXISTS (SELECT 1 FROM energize_unchanged u WHERE u."sale_id" = t."sale_id")"#)
        #expect(statements(.replace).unchangedKeys == nil && statements(.append).unchangedKeys == nil)
    }

    @Test func differencesCompareRowsIgnoringLoadStamps() {
        #expect(statements(.replace).differences == #"SELECT (SELECT count(*) FROM (SELECT "sale_id", "status", "updated_at" FROM "energize_stage" EXCEPT ALL SELECT "sale_id", "status", "updated_at" FROM "raw"."sales" t WHERE TRUE) a), (SELECT count(*) FROM (SELECT "sale_id", "status", "updated_at" FROM "raw"."sales" t WHERE TRUE EXCEPT ALL SELECT "sale_id", "status", "updated_at" FROM "energize_stage") r)"#)
    }
}

@Suite struct CopyTextEncoderTests {
    @Test func encodesRowsWithEscapesAndNulls() throws {
        let schema = Schema([Column("s", .text), Column("n", .integer), Column("d", .timestamptz), Column("j", .jsonb),
                             Column("b", .boolean), Column("x", .numeric)])
        let batch = try RecordBatch(schema: schema, columns: [
            [.string("a\tb\nc\\d\r"), .string("\\.")],
            [.int32(7), .null],
            [.date(1_709_251_200_120), .date(0)],
            [.document(["k": .string("v\n")]), .array([])],
            [.bool(true), .bool(false)],
            [.decimal("4599.90"), .double(.infinity)],
        ])
        let text = String(decoding: CopyTextEncoder.encode(batch), as: UTF8.self)
        #expect(text == "a\\tb\\nc\\\\d\\r\t7\t2024-03-01 00:00:00.120+00\t{\"k\":\"v\\\\n\"}\tt\t4599.90\n"
                      + "\\\\.\t\\N\t1970-01-01 00:00:00+00\t[]\tf\tInfinity\n")
    }

    @Test func encodesBinaryAsByteaHexAndUUIDs() throws {
        let uuid = Data([0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0])
        let batch = try RecordBatch(schema: Schema([Column("b", .bytea), Column("u", .uuid)]),
                                    columns: [[.binary(subtype: 0, bytes: Data([0, 255]))], [.binary(subtype: 4, bytes: uuid)]])
        #expect(String(decoding: CopyTextEncoder.encode(batch), as: UTF8.self) == "\\\\x00ff\t12345678-9abc-def0-1234-56789abcdef0\n")
    }
}

import Foundation

@Suite struct ColumnNamingTests {
    @Test func shortensOnlyNamesPostgresCannotHold() {
        let fits = String(repeating: "a", count: 63)
        #expect(ColumnNaming.columnName(for: fits) == fits)
        let long1 = String(repeating: "é", count: 40) + "1"
        let long2 = String(repeating: "é", count: 40) + "2"
        let short1 = ColumnNaming.columnName(for: long1)
        #expect(short1.utf8.count <= 63)
        #expect(short1 != ColumnNaming.columnName(for: long2))
        #expect(short1 == ColumnNaming.columnName(for: long1))
        #expect(short1.hasPrefix(String(repeating: "é", count: 27) + "~"))
    }

    @Test func reservedEmptyAndCollidingNamesGetDistinctStableColumns() {
        var naming = ColumnNaming(columns: ["a", "_loaded_at", "_run_id"], mappings: [:])
        #expect(naming.column(for: "a") == "a")
        let loaded = naming.column(for: "_loaded_at")
        #expect(loaded.hasPrefix("_loaded_at~") && loaded.count == 19)
        #expect(naming.column(for: "").hasPrefix("~"))
        // A field whose own name is another field's shortened column gets the longer form.
        let long = String(repeating: "x", count: 70)
        let short = naming.column(for: long)
        let impostor = naming.column(for: short)
        #expect(impostor != short && impostor.contains("~") && impostor.utf8.count <= 63)
        #expect(naming.newMappings.map(\.field) == ["_loaded_at", "", long, short])
        // Recorded mappings are read back the same way.
        let reloaded = ColumnNaming(columns: ["a", loaded, short, impostor],
                                    mappings: Dictionary(uniqueKeysWithValues: naming.newMappings.map { ($0.column, $0.field) }))
        #expect(reloaded.field(for: impostor) == short)
        #expect(reloaded.columnByField[long] == short)
    }
}
