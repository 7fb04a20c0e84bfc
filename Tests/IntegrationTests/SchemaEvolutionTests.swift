import EnergizeCore
import EnergizeTesting
import Foundation
import PGSink
import Testing

/// Widening across runs, new and vanished fields, column overflow, hostile names, and a
/// property-based test of random documents, against the real PostgreSQL.
@Suite(.serialized, .enabled(if: LiveServers.enabled)) struct SchemaEvolutionTests {
    static let schema = "it_evolution"
    static let meta = "it_evolution_meta"

    func pipeline(_ source: MemorySource, _ stream: StreamConfig, columnLimit: Int = 300) throws -> Pipeline {
        Pipeline(name: "it-evolution", source: source,
                 sink: PGSink(connectionString: try LiveServers.pgURI(), settings: PGSinkSettings(rawSchema: Self.schema, metaSchema: Self.meta)),
                 streams: [stream], settings: PipelineSettings(batchSize: 7, columnLimit: columnLimit))
    }

    func comparison(_ connection: PGConnection) throws -> TableComparison {
        TableComparison(connection: connection, client: nil, database: "", schema: Self.schema)
    }

    static func id(_ n: Int) -> Value { .objectId(String(format: "%024x", n)) }

    @Test func numbersWidenAcrossRunsAndEarlierRowsKeepTheirValues() async throws {
        let connection = try LiveServers.freshSchemas([Self.schema, Self.meta])
        defer { connection.close() }
        let source = MemorySource()
        let pipeline = try pipeline(source, StreamConfig("numbers", strategy: .append))
        var all: [Document] = []
        let runs: [[Document]] = [
            [["_id": Self.id(1), "n": .int32(7), "m": .int32(1)]],
            [["_id": Self.id(2), "n": .int64(1 << 40), "m": .double(2.5), "added": .string("new field")]],
            [["_id": Self.id(3), "n": .decimal("12345678901234567890.5"), "m": .int64(9_007_199_254_740_993)]],
            [["_id": Self.id(4), "n": .int32(1)]],   // `m` and `added` vanish: their columns stay, NULL
        ]
        let types: [[String: ColumnType]] = [
            ["n": .integer, "m": .integer], ["n": .bigint, "m": .double, "added": .text],
            ["n": .numeric, "m": .numeric, "added": .text], ["n": .numeric, "m": .numeric, "added": .text],
        ]
        let compare = try comparison(connection)
        for (documents, expected) in zip(runs, types) {
            source.set("numbers", documents)
            all += documents
            let report = try await pipeline.run()
            #expect(report.succeeded, "\(report.streams.compactMap(\.error))")
            var actual = try compare.columnTypes("numbers")
            actual["_id"] = nil
            #expect(actual == expected)
            #expect(try compare.mismatches(table: "numbers", documents: all) == [])
        }
        // A text value where the column is numeric is a conflict: rejected, naming the field and both types.
        source.set("numbers", [["_id": Self.id(5), "n": .string("five")]])
        let report = try await pipeline.run()
        #expect(report.streams.first?.rowsRejected == 1)
        let reason = try connection.execute("SELECT reason FROM \(Self.schema)._rejects").scalar
        #expect(reason == "field `n`: a string value cannot share column type numeric with earlier values")
    }

    @Test func aDocumentWithMoreFieldsThanATableHoldsLoadsWhole() async throws {
        let connection = try LiveServers.freshSchemas([Self.schema, Self.meta])
        defer { connection.close() }
        var wide = Document([Field("_id", Self.id(1))])
        for n in 0..<1_700 { wide.fields.append(Field("field_\(n)", n % 2 == 0 ? .int32(Int32(n)) : .string("value \(n)"))) }
        let narrow: Document = ["_id": Self.id(2), "field_1": .string("x"), "field_1699": .string("late")]
        let source = MemorySource(["wide": [wide, narrow]])
        let report = try await pipeline(source, StreamConfig("wide")).run()
        #expect(report.succeeded, "\(report.streams.compactMap(\.error))")
        let compare = try comparison(connection)
        let types = try compare.columnTypes("wide")
        #expect(types.count == 301)   // 300 columns (the limit) and _overflow
        #expect(types["_overflow"] == .jsonb)
        #expect(try compare.mismatches(table: "wide", documents: [wide, narrow]) == [])
        let overflowKeys = try connection.execute("SELECT count(*) FROM \(Self.schema).wide, jsonb_object_keys(\"_overflow\") WHERE \"_id\" = $1",
                                                  ["000000000000000000000001"]).scalar
        #expect(overflowKeys == "1401")
    }

    @Test func hostileNamesKeepTheirNamesAndLongOnesGetStableDistinctColumns() async throws {
        let connection = try LiveServers.freshSchemas([Self.schema, Self.meta])
        defer { connection.close() }
        let long = String(repeating: "çolumn_", count: 10)
        let names = ["with space", "quote\"d", "apos'", "dot.ted", "$dollar", "camelCase", "UPPER", "ünïcødé", "emoji😀",
                     "select", "order", "tab\tname", "_loaded_at", "_run_id", "", long + "A", long + "B"]
        var document = Document([Field("_id", Self.id(1))])
        for (n, name) in names.enumerated() { document.fields.append(Field(name, .string("value \(n) \\. \t\n 𝄞"))) }
        let source = MemorySource(["hostile": [document]])
        let stream = StreamConfig("hostile", table: "Hostile \"Table\"", strategy: .merge(key: "with space"))
        #expect(try await pipeline(source, stream).run().succeeded)
        let compare = try comparison(connection)
        let mapped = try compare.columnNames("Hostile \"Table\"", metaSchema: Self.meta)
        #expect(Set(mapped.keys) == ["_loaded_at", "_run_id", "", long + "A", long + "B"])
        #expect(Set(mapped.values).count == 5)
        #expect(mapped.values.allSatisfy { $0.utf8.count <= 63 })
        #expect(try compare.mismatches(table: "Hostile \"Table\"", documents: [document], columnOf: mapped) == [])
        // A second run maps the same way and merges by the key with a space in its name.
        document["apos'"] = .string("changed")
        source.set("hostile", [document])
        let second = try await pipeline(source, stream).run()
        #expect(second.succeeded, "\(second.streams.compactMap(\.error))")
        #expect(try compare.columnNames("Hostile \"Table\"", metaSchema: Self.meta) == mapped)
        #expect(try compare.mismatches(table: "Hostile \"Table\"", documents: [document], columnOf: mapped) == [])
    }

    @Test func randomDocumentsAreLoadedEqualOrRejectedWithAReason() async throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["ENERGIZE_PROPERTY_SEED"] ?? "") ?? 20_261_127
        let connection = try LiveServers.freshSchemas([Self.schema, Self.meta])
        defer { connection.close() }
        var generator = RandomDocuments(seed: seed)
        let documents = (1...400).map { generator.document(id: $0) }
        let source = MemorySource(["random": documents])
        let report = try await pipeline(source, StreamConfig("random"), columnLimit: 12).run()
        let stream = try #require(report.streams.first)
        #expect(stream.status == .succeeded, "seed \(seed): \(stream.error ?? "")")
        let compare = try comparison(connection)
        let rejected = try connection.execute("SELECT document_id, reason FROM \(Self.schema)._rejects").rows
        let rejectedIds = Set(rejected.map { $0[0]! })
        #expect(rejected.allSatisfy { $0[1]!.hasPrefix("field `") }, "seed \(seed): \(rejected.map { $0[1]! })")
        let loaded = documents.filter { !rejectedIds.contains(DocumentRules.idText($0["_id"]!)) }
        #expect(try compare.count("random") + rejectedIds.count == documents.count, "seed \(seed)")
        #expect(try compare.count("random") == loaded.count, "seed \(seed)")
        let mapped = try compare.columnNames("random", metaSchema: Self.meta)
        let problems = try compare.mismatches(table: "random", documents: loaded, columnOf: mapped)
        #expect(problems.isEmpty, "seed \(seed): \(problems.prefix(10))")
        #expect(!rejectedIds.isEmpty && loaded.count > 100, "seed \(seed): \(rejectedIds.count) rejected")
    }
}
