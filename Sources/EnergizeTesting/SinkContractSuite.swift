import EnergizeCore

/// Scenarios every `Sink` must pass (an incremental stream with a look-back window, a replace
/// stream, batch sizes around the row count), run against the in-memory fake and against real
/// backends alike.
///
/// Each scenario drives a `Pipeline` from a `MemorySource` into the sink under test over
/// several runs and checks the table after each through `readKeys`, which returns one
/// `(key, status)` pair per table row (so duplicates show).
public struct SinkContractSuite: Sendable {
    /// A failed expectation, with what was expected and what was found.
    public struct Violation: Error, CustomStringConvertible {
        /// The scenario step, what was expected and what was found.
        public let description: String
    }

    /// Reads a table's `(key, status)` pairs: one per row, so duplicates show.
    /// - Parameters:
    ///   - table: the table, as the stream names it (with the suite's prefix).
    ///   - key: the key column.
    public typealias KeyReader = @Sendable (_ table: String, _ key: String) throws -> [(key: String, status: String)]

    let sink: any Sink
    let readKeys: KeyReader
    let prefix: String

    /// A suite for one sink.
    /// - Parameters:
    ///   - sink: the sink under test.
    ///   - prefix: prepended to table names so suites do not collide.
    ///   - readKeys: reads a table's `(key, status)` pairs.
    public init(sink: any Sink, prefix: String, readKeys: @escaping KeyReader) {
        self.sink = sink
        self.prefix = prefix
        self.readKeys = readKeys
    }

    static let day: Int64 = 86_400_000
    static let t0 = CivilTime.milliseconds(year: 2024, month: 3, day: 1)

    static func sale(_ key: String, status: String, updated: Int64, id: String) -> Document {
        ["_id": .objectId(id), "sale_id": .string(key), "status": .string(status), "updated_at": .date(updated),
         "sold_at": .date(t0 - 40 * day)]
    }

    /// Incremental with a 7-day look-back: first run, re-run without change, a late update of an
    /// old document, deletes inside and outside the window, a rejected newer version of an old
    /// row, and a final re-run without change.
    public func incremental() async throws {
        let source = MemorySource()
        let stream = StreamConfig("sales", table: prefix + "sales",
                                  strategy: .incremental(cursor: "updated_at", key: "sale_id", lookback: .days(7)),
                                  contract: [FieldRequirement("status", .string)])
        let pipeline = Pipeline(name: prefix + "incremental", source: source, sink: sink, streams: [stream],
                                settings: PipelineSettings(batchSize: 2))
        let t0 = Self.t0, day = Self.day
        source.set("sales", [
            Self.sale("A", status: "completed", updated: t0 - 30 * day, id: "00000000000000000000000a"),
            Self.sale("B", status: "completed", updated: t0 - 10 * day, id: "00000000000000000000000b"),
            Self.sale("C", status: "completed", updated: t0 - 2 * day, id: "00000000000000000000000c"),
            Self.sale("D", status: "completed", updated: t0 - 1 * day, id: "00000000000000000000000d"),
            Self.sale("F", status: "completed", updated: t0 - 20 * day, id: "00000000000000000000000f"),
        ])
        var report = try await pipeline.run()
        try expect(report, read: 5, rejected: 0)
        try expectTable(stream, ["A": "completed", "B": "completed", "C": "completed", "D": "completed", "F": "completed"], "first run")

        report = try await pipeline.run()
        try expect(report, read: 2, rejected: 0)   // C and D: updated_at >= W - 7 days
        try expectUnchanged(report, "re-run without change")

        source.upsert("sales", [
            Self.sale("A", status: "returned", updated: t0, id: "00000000000000000000000a"),          // late update
            Self.sale("E", status: "completed", updated: t0 + 3_600_000, id: "00000000000000000000000e"),
            ["_id": .objectId("00000000000000000000000f"), "sale_id": .string("F"), "status": .int32(2),
             "updated_at": .date(t0 + 7_200_000)],                                                      // malformed newer F
        ])
        source.delete("sales", id: .objectId("00000000000000000000000c"))   // inside the window: disappears
        source.delete("sales", id: .objectId("00000000000000000000000b"))   // outside the window: stays
        report = try await pipeline.run()
        try expect(report, read: 4, rejected: 1)   // A, D, E, and the rejected F
        try expectTable(stream, ["A": "returned", "B": "completed", "D": "completed", "E": "completed", "F": "completed"],
                        "late update, deletes inside and outside the window, rejected newer version")

        report = try await pipeline.run()
        try expectUnchanged(report, "final re-run without change")
        try expectTable(stream, ["A": "returned", "B": "completed", "D": "completed", "E": "completed", "F": "completed"], "final re-run")
    }

    /// Replace: the table becomes exactly the collection, deletes included; re-runs change nothing.
    public func replace() async throws {
        let source = MemorySource()
        let stream = StreamConfig("customers", table: prefix + "customers", strategy: .replace)
        let pipeline = Pipeline(name: prefix + "replace", source: source, sink: sink, streams: [stream],
                                settings: PipelineSettings(batchSize: 1))
        func customer(_ key: String, _ status: String, _ id: String) -> Document {
            ["_id": .objectId(id), "customer_id": .string(key), "status": .string(status)]
        }
        source.set("customers", [customer("X", "a", "0000000000000000000000a1"), customer("Y", "a", "0000000000000000000000a2"),
                                 customer("Z", "a", "0000000000000000000000a3")])
        var report = try await pipeline.run()
        try expect(report, read: 3, rejected: 0)
        try expectTable(stream, ["X": "a", "Y": "a", "Z": "a"], "first replace", key: "customer_id")

        source.set("customers", [customer("X", "a", "0000000000000000000000a1"), customer("Y", "b", "0000000000000000000000a2"),
                                 customer("W", "a", "0000000000000000000000a4")])
        report = try await pipeline.run()
        try expectTable(stream, ["X": "a", "Y": "b", "W": "a"], "replace after change and delete", key: "customer_id")
        guard let outcome = report.streams.first?.outcome, outcome.rowsAdded == 2, outcome.rowsRemoved == 2 else {
            throw Violation(description: "replace after change: expected 2 rows added and 2 removed, got \(String(describing: report.streams.first?.outcome))")
        }

        report = try await pipeline.run()
        try expectUnchanged(report, "replace re-run")
    }

    /// Batch sizes around the row count (0, 1, n-1, n, n+1) load every row exactly once.
    /// - Parameter rows: the row count n.
    /// - Throws: `Violation` when a table does not hold every row once.
    public func batchBoundaries(rows: Int = 5) async throws {
        for batchSize in [1, rows - 1, rows, rows + 1] {
            for count in [0, 1, rows] {
                let source = MemorySource()
                let table = "\(prefix)batch_\(batchSize)_\(count)"
                let stream = StreamConfig("items", table: table, strategy: .replace)
                source.set("items", (0..<count).map { ["_id": .objectId(String(format: "%024x", $0 + 1)), "n": .int32(Int32($0))] })
                let pipeline = Pipeline(name: prefix + "batches", source: source, sink: sink, streams: [stream],
                                        settings: PipelineSettings(batchSize: batchSize))
                let report = try await pipeline.run()
                guard report.succeeded, report.streams.first?.outcome?.tableRows == count else {
                    throw Violation(description: "batch size \(batchSize), \(count) rows: got \(report.streams)")
                }
            }
        }
    }

    private func expect(_ report: RunReport, read: Int, rejected: Int) throws {
        guard let stream = report.streams.first, stream.status == .succeeded else {
            throw Violation(description: "the run failed: \(report.streams.first?.error ?? "no stream")")
        }
        guard stream.rowsRead == read, stream.rowsRejected == rejected else {
            throw Violation(description: "expected \(read) read and \(rejected) rejected, got \(stream.rowsRead) and \(stream.rowsRejected)")
        }
    }

    private func expectUnchanged(_ report: RunReport, _ step: String) throws {
        guard let outcome = report.streams.first?.outcome, outcome.tableUnchanged else {
            throw Violation(description: "\(step): expected the table unchanged, got \(String(describing: report.streams.first?.outcome)) \(report.streams.first?.error ?? "")")
        }
    }

    private func expectTable(_ stream: StreamConfig, _ expected: [String: String], _ step: String, key: String = "sale_id") throws {
        let pairs = try readKeys(stream.table, key)
        let keys = pairs.map(\.key)
        guard Set(keys).count == keys.count else {
            throw Violation(description: "\(step): duplicated keys in \(stream.table): \(keys.sorted())")
        }
        let actual = Dictionary(uniqueKeysWithValues: pairs.map { ($0.key, $0.status) })
        guard actual == expected else {
            throw Violation(description: "\(step): expected \(expected.sorted { $0.key < $1.key }), found \(actual.sorted { $0.key < $1.key })")
        }
    }
}
