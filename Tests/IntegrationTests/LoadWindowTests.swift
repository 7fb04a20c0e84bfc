import EnergizeCore
import Foundation
@testable import PGSink
import Testing

/// An incremental load's window found through the target's indexes (a small stage) is the same
/// rows as the plain `cursor >= cutoff OR key IN (stage)` condition a large stage uses.
@Suite(.enabled(if: LiveServers.enabled)) struct LoadWindowTests {
    @Test func theIndexedWindowIsThePlainOne() throws {
        let connection = try LiveServers.freshSchemas(["it_window"])
        defer { connection.close() }
        try connection.execute("CREATE SCHEMA it_window")
        try connection.execute("""
            CREATE TABLE it_window.orders AS SELECT 'o' || n AS "_id", 'k' || (n % 900) AS order_id, n AS amount,
              timestamptz '2025-01-01' + n * interval '1 hour' AS updated_at FROM generate_series(1, 1000) n
            """)
        try connection.execute("CREATE INDEX ON it_window.orders (order_id)")
        try connection.execute("CREATE INDEX ON it_window.orders (updated_at)")
        try connection.execute("ANALYZE it_window.orders")
        // Staged: keys far before the window, keys with rows both before and inside it (n and
        // n + 900: found by both arms), new keys; rejected: two ids in the window.
        try connection.execute("""
            CREATE TEMP TABLE energize_stage AS SELECT 'k' || n AS order_id, n AS amount, timestamptz '2025-03-01' AS updated_at
            FROM generate_series(1, 40) n UNION ALL SELECT 'k' || n, n, timestamptz '2025-03-01' FROM generate_series(60, 70) n
            UNION ALL SELECT 'k' || n, n, timestamptz '2025-03-01' FROM generate_series(880, 905) n
            """)
        try connection.execute("CREATE TEMP TABLE energize_rejects AS SELECT '_' AS document_id UNION ALL SELECT 'o990' UNION ALL SELECT 'o995'")
        let cutoff = "2025-02-10T00:00:00Z"
        func statements(indexed: Bool) -> LoadStatements {
            LoadStatements(target: #""it_window"."orders""#, stage: "energize_stage", columns: ["order_id", "amount", "updated_at"],
                           strategy: .incremental(cursor: "updated_at", key: "order_id", lookback: .days(7)), hasCutoff: true,
                           idColumn: "_id", indexedWindow: indexed)
        }
        func deleted(_ sql: LoadStatements) throws -> [String] {
            try connection.execute("BEGIN")
            defer { _ = try? connection.execute("ROLLBACK") }
            try connection.execute("CREATE TEMP TABLE energize_unchanged (order_id text) ON COMMIT DROP")
            let delete = try #require(sql.delete)
            return try connection.execute(delete + #" RETURNING t."_id""#, [cutoff]).rows.compactMap { $0[0] }.sorted()
        }
        let plain = statements(indexed: false), indexed = statements(indexed: true)
        #expect(plain.delete != indexed.delete, "two forms")
        let plainRows = try deleted(plain)
        #expect(plainRows.count > 100 && !plainRows.contains("o990"), "the window and the re-extracted keys, not the rejected: \(plainRows.count)")
        #expect(try deleted(indexed) == plainRows)
        #expect(try connection.execute(indexed.differences, [cutoff]).rows == (try connection.execute(plain.differences, [cutoff]).rows))
    }
}
