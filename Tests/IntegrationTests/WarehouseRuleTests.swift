import EnergizeCore
import Foundation
import PGSink
import Testing
import Warehouse

/// One hand-written fixture per warehouse rule (dimensions, facts, rejects, data tests), on the real PostgreSQL.
@Suite(.serialized, .enabled(if: LiveServers.enabled)) struct WarehouseRuleTests {
    typealias F = WarehouseFixture

    @Test func scd2VersionsFollowTheSpec() async throws {
        let f = try F("it_wh_scd2")
        var alice = f.customer("C1", created: F.at(2023, 5, 1), updated: F.at(2023, 5, 2))
        let bob = f.customer("C2", created: F.at(2023, 6, 1))
        f.source.set("customers", [alice, bob])
        try await f.run()
        // First version starts at created_at.
        #expect(try f.rows("SELECT customer_id, valid_from::text, valid_to, is_current FROM WH.dim_customer WHERE customer_sk <> -1 ORDER BY 1")
                == [["C1", try f.text(CivilTime.milliseconds(year: 2023, month: 5, day: 1, hour: 12)), nil, "t"],
                    ["C2", try f.text(CivilTime.milliseconds(year: 2023, month: 6, day: 1, hour: 12)), nil, "t"]])
        #expect(try f.rows("SELECT customer_sk, customer_id, is_current FROM WH.dim_customer WHERE customer_sk = -1") == [["-1", nil, "t"]])

        // Untracked change (updated_at, an extra field): no new version. Re-run: idempotent.
        alice["updated_at"] = F.at(2024, 2, 1)
        alice["loyalty"] = .string("ouro")
        f.source.set("customers", [alice, bob])
        try await f.run()
        try await f.run()
        #expect(try f.rows("SELECT count(*) FROM WH.dim_customer") == [["3"]])

        // Tracked change: the current version closes at updated_at and a new one opens there.
        alice["city"] = .string("Recife")
        alice["region"] = .string("Nordeste")
        alice["updated_at"] = F.at(2024, 3, 1)
        f.source.set("customers", [alice])   // and bob is deleted
        let deleteRun = try await f.run()
        let march = try f.text(CivilTime.milliseconds(year: 2024, month: 3, day: 1, hour: 12))
        #expect(try f.rows("SELECT city, valid_from::text, valid_to::text, is_current FROM WH.dim_customer WHERE customer_id = 'C1' ORDER BY valid_from")
                == [["São Paulo", try f.text(CivilTime.milliseconds(year: 2023, month: 5, day: 1, hour: 12)), march, "f"],
                    ["Recife", march, nil, "t"]])
        // A deleted key closes at the run's start and has no current version.
        #expect(try f.rows("SELECT valid_to::text, is_current FROM WH.dim_customer WHERE customer_id = 'C2'")
                == [[try f.text(deleteRun.startedAt), "f"]])

        // It comes back with the same attributes and an old updated_at: a new version from the run's start.
        f.source.set("customers", [alice, bob])
        let returnRun = try await f.run()
        #expect(try f.rows("SELECT valid_from::text, is_current FROM WH.dim_customer WHERE customer_id = 'C2' ORDER BY valid_from")
                == [[try f.text(CivilTime.milliseconds(year: 2023, month: 6, day: 1, hour: 12)), "f"], [try f.text(returnRun.startedAt), "t"]])

        // A change whose updated_at is not later than the current version's start opens at the run's start.
        alice["name"] = .string("Alice Renomeada")
        alice["updated_at"] = F.at(2024, 2, 15)
        f.source.set("customers", [alice, bob])
        let lateRun = try await f.run()
        #expect(try f.rows("SELECT name, valid_from::text FROM WH.dim_customer WHERE customer_id = 'C1' AND is_current")
                == [["Alice Renomeada", try f.text(lateRun.startedAt)]])
        #expect(try f.dataTests(runId: lateRun.runId).filter { !$0.passed }.map(\.name) == [])
    }

    @Test func valuesNotRepresentationsDecideChanges() async throws {
        let f = try F("it_wh_values")
        var product = f.product("P1", price: .double(4599.9))
        f.source.set("products", [product])
        try await f.run()
        product["list_price"] = .decimal("4599.90")
        product["updated_at"] = F.at(2024, 5, 1)
        f.source.set("products", [product])
        try await f.run()
        #expect(try f.rows("SELECT count(*) FROM WH.dim_product WHERE product_sk <> -1") == [["1"]])
    }

    @Test func factsPickTheVersionValidAtTheEventAndRoundLikeTheSpec() async throws {
        let f = try F("it_wh_facts")
        var customer = f.customer("C1", region: "Sudeste", created: F.at(2024, 1, 10), updated: F.at(2024, 1, 10))
        f.source.set("customers", [customer])
        f.source.set("products", [f.product("P1", chemistry: "NMC", created: F.at(2023, 1, 1))])
        f.source.set("stores", [f.store("S1", region: "Sul"), f.store("W1", channel: "online", region: "Sudeste")])
        f.source.set("sales", [
            // Before the customer's first version: the first version. Rounding: 3 × 33.33 × 0.15 = 14.9985 → 15.00.
            f.sale("A", customer: "C1", soldAt: F.at(2024, 1, 5), items: [("P1", 3, .decimal("33.33"), 0.15)]),
            // 02:30 UTC on March 2nd is March 1st in São Paulo. 0.505 rounds half away from zero to 0.51.
            f.sale("B", customer: "C1", store: "W1", channel: "online", soldAt: F.at(2024, 3, 2, 2, 30), items: [("P1", 1, .double(10.1), 0.05)]),
            // An unknown customer and product: -1.
            f.sale("C", customer: "C404", soldAt: F.at(2024, 3, 3), items: [("P404", 2, .int32(7), nil)]),
            f.sale("D", customer: "C1", soldAt: F.at(2024, 3, 4), status: "cancelled", items: [("P1", 1, .decimal("50.00"), nil)]),
        ])
        f.source.set("transactions", [f.transaction("T1", sale: "A", amount: .decimal("84.99"), at: F.at(2024, 1, 5)),
                                      f.transaction("T2", sale: "A", kind: "refund", amount: .decimal("84.99"), at: F.at(2024, 2, 1))])
        try await f.run()
        // The customer moves on 2024-03-01: sale B (March 1st SP) picks the new version.
        customer["region"] = .string("Nordeste")
        customer["city"] = .string("Recife")
        customer["updated_at"] = F.at(2024, 3, 1, 0, 0)
        f.source.set("customers", [customer])
        let run = try await f.run()
        let versions = try f.rows("SELECT customer_sk FROM WH.dim_customer WHERE customer_id = 'C1' ORDER BY valid_from").map { $0[0]! }
        #expect(versions.count == 2)
        #expect(try f.rows("""
            SELECT sale_id, line_number, date_key, customer_sk, product_sk = -1, gross_amount::text, discount_amount::text, net_amount::text
            FROM WH.fact_sales ORDER BY sale_id
            """) == [["A", "1", "20240105", versions[0], "f", "99.99", "15.00", "84.99"],
                     ["B", "1", "20240301", versions[1], "f", "10.10", "0.51", "9.59"],
                     ["C", "1", "20240303", "-1", "t", "14.00", "0.00", "14.00"],
                     ["D", "1", "20240304", versions[1], "f", "50.00", "0.00", "50.00"]])
        #expect(try f.rows("SELECT transaction_id, signed_amount::text, customer_sk FROM WH.fact_transactions ORDER BY 1")
                == [["T1", "84.99", versions[0]], ["T2", "-84.99", versions[0]]])
        // Aggregates: completed only; region from the store when physical, the customer version when online.
        #expect(try f.rows("SELECT month::text, region, sku, chemistry, orders, units, net_revenue::text FROM WH.agg_sales_month_region_product ORDER BY 1, 2 NULLS LAST")
                == [["2024-01-01", "Sul", "P1", "NMC", "1", "3", "84.99"],
                    ["2024-03-01", "Nordeste", "P1", "NMC", "1", "1", "9.59"],
                    ["2024-03-01", "Sul", "P404", nil, "1", "2", "14.00"]])
        #expect(try f.rows("SELECT customer_id, orders, units, net_revenue::text, avg_order_value::text, recency_days FROM WH.mart_customer_behavior")
                == [["C1", "2", "4", "94.58", "47.29", "2"]])
        #expect(try f.dataTests(runId: run.runId).filter { !$0.passed }.map(\.name) == [])

        // The unknown customer arrives later: their older sale moves to the first version.
        f.source.set("customers", [customer, f.customer("C404", created: F.at(2024, 6, 1))])
        try await f.run()
        #expect(try f.rows("SELECT c.customer_id FROM WH.fact_sales s JOIN WH.dim_customer c USING (customer_sk) WHERE sale_id = 'C'") == [["C404"]])
    }

    @Test func monthOverMonthGrowthIsNullWithoutAPreviousMonthOrRevenue() async throws {
        let f = try F("it_wh_trends")
        f.source.set("customers", [f.customer("C1")])
        f.source.set("products", [f.product("P1", chemistry: "LFP")])
        f.source.set("stores", [f.store("S1")])
        f.source.set("sales", [
            f.sale("A", customer: "C1", soldAt: F.at(2024, 1, 10), items: [("P1", 1, .decimal("100.00"), nil)]),
            f.sale("B", customer: "C1", soldAt: F.at(2024, 2, 10), items: [("P1", 1, .decimal("150.00"), nil)]),
            f.sale("C", customer: "C1", soldAt: F.at(2024, 3, 10), items: [("P1", 1, .decimal("0.00"), nil)]),
            f.sale("D", customer: "C1", soldAt: F.at(2024, 4, 10), items: [("P1", 1, .decimal("80.00"), nil)]),
            f.sale("E", customer: "C1", soldAt: F.at(2024, 6, 10), items: [("P1", 1, .decimal("90.00"), nil)]),
            f.sale("X", customer: "C1", soldAt: F.at(2024, 5, 10), status: "cancelled", items: [("P1", 9, .decimal("999.00"), nil)]),
        ])
        try await f.run()
        // mom_growth is numeric division, unrounded: compared as a number.
        #expect(try f.rows("SELECT month::text, units, net_revenue::text, mom_growth::float8::text FROM WH.mart_market_trends ORDER BY 1")
                == [["2024-01-01", "1", "100.00", nil], ["2024-02-01", "1", "150.00", "0.5"],
                    ["2024-03-01", "1", "0.00", "-1"], ["2024-04-01", "1", "80.00", nil],
                    ["2024-06-01", "1", "90.00", nil]])
    }

    @Test func saleLinesThatCannotBeTypedGoToRejectsAndTheRestLoads() async throws {
        let f = try F("it_wh_items")
        f.source.set("customers", [f.customer("C1")])
        f.source.set("products", [f.product("P1")])
        f.source.set("stores", [f.store("S1")])
        // Line 3's price rounds to 10^12 in cents, past numeric(14,2): a reject, not a failed build.
        var sale = f.sale("A", customer: "C1", soldAt: F.at(2024, 1, 10), items: [("P1", 1, .decimal("5.00"), nil), ("P1", 2, .decimal("5.00"), nil),
                                                                                ("P1", 1, .decimal("999999999999.996"), nil), ("P1", 1, .decimal("999999999999.994"), nil)])
        if case .array(var items) = sale["items"], case .document(var second) = items[1] {
            second["quantity"] = .string("two")
            items[1] = .document(second)
            sale["items"] = .array(items)
        }
        f.source.set("sales", [sale])
        // A sales stream without the contract lets the malformed line reach the raw table.
        var streams = try EnergizeTechProject.streams()
        streams[3].contract = []
        f.streams = streams
        let run = try await f.run()
        #expect(try f.recordItemRejects(runId: run.runId) == 2)
        #expect(try f.recordItemRejects(runId: run.runId) == 0)
        #expect(try f.rows("SELECT reason FROM RAW._rejects ORDER BY reason") == [
            ["sale A items.1: quantity two is not a number"],
            ["sale A items.2: values cannot be cast (quantity whole, unit_price below 10^12 in cents, discount a number)"]])
        #expect(try f.rows("SELECT sale_id, line_number, quantity, unit_price::text FROM WH.fact_sales ORDER BY line_number") == [
            ["A", "1", "1", "5.00"], ["A", "4", "1", "999999999999.99"]])
    }

    /// After a first recording, a recording looks again only at the documents loaded since and at
    /// recorded ones gone from the raw table; what it leaves equals a recording of the whole listing,
    /// first runs included. A write to the raw table outside energize makes it read the whole listing.
    @Test func itemRejectsRecordedForChangedDocumentsEqualAWholeRecording() async throws {
        let f = try F("it_wh_item_rejects")
        f.source.set("customers", [f.customer("C1")])
        f.source.set("products", [f.product("P1")])
        f.source.set("stores", [f.store("S1")])
        func sale(_ id: String, badQuantity: Bool, day: Int) -> Document {
            var sale = f.sale(id, customer: "C1", soldAt: F.at(2024, 1, day), items: [("P1", 1, .decimal("5.00"), nil), ("P1", 2, .decimal("5.00"), nil)])
            if badQuantity, case .array(var items) = sale["items"], case .document(var second) = items[1] {
                second["quantity"] = .string("two")
                items[1] = .document(second)
                sale["items"] = .array(items)
            }
            return sale
        }
        var streams = try EnergizeTechProject.streams()
        streams[3].contract = []
        f.streams = streams
        let a = sale("A", badQuantity: true, day: 10), b = sale("B", badQuantity: true, day: 11), c = sale("C", badQuantity: false, day: 12)
        f.source.set("sales", [a, b, c])
        let first = try await f.run()
        #expect(try f.recordItemRejects(runId: first.runId) == 2)
        #expect(try f.rows("SELECT by_document::text FROM \(f.metaSchema).reject_recordings") == [["true"]])
        let recorded = "SELECT document_id, reason, first_run_id::text, last_run_id::text FROM RAW._rejects WHERE origin <> 'load' ORDER BY 1, 2"

        // A fixed, B deleted (inside the look-back window), D new and bad, C untouched.
        var fixed = sale("A", badQuantity: false, day: 10)
        fixed["_id"] = a["_id"]
        fixed["updated_at"] = F.at(2024, 1, 13)
        let d = sale("D", badQuantity: true, day: 13)
        f.source.set("sales", [fixed, c, d])
        let second = try await f.run()
        #expect(try f.recordItemRejects(runId: second.runId) == 1)
        let changedOnly = try f.rows(recorded)
        #expect(changedOnly.map { $0[0] } == (try f.rows("SELECT _id::text FROM RAW.sales WHERE sale_id = 'D'")).map { $0[0] }, "\(changedOnly)")
        #expect(try f.recordItemRejects(runId: second.runId, fullRefresh: true) == 0)
        #expect(try f.rows(recorded) == changedOnly)

        // A hand UPDATE breaks C's items without a new _run_id: the next recording reads the whole listing.
        try f.connection.execute("""
            UPDATE \(f.rawSchema).sales SET items = jsonb_set(items, '{0,sku}', '7') WHERE sale_id = 'C'
            """)
        #expect(try f.recordItemRejects(runId: second.runId + 1) == 1)
        #expect(try f.rows(recorded).map { $0[1] }.contains { $0?.hasPrefix("sale C items.0: sku is not text") == true })
        #expect(try f.rows(recorded).count == 2)
    }

    @Test func aPlantedDuplicateFailsItsDataTest() async throws {
        let f = try F("it_wh_tests")
        f.source.set("customers", [f.customer("C1")])
        f.source.set("products", [f.product("P1")])
        f.source.set("stores", [f.store("S1")])
        f.source.set("sales", [f.sale("A", customer: "C1", soldAt: F.at(2024, 1, 10), items: [("P1", 1, .decimal("1.00"), nil)])])
        let run = try await f.run()
        #expect(try f.dataTests(runId: run.runId).allSatisfy(\.passed))
        try f.connection.execute("INSERT INTO \(f.warehouseSchema).fact_sales SELECT * FROM \(f.warehouseSchema).fact_sales")
        try f.connection.execute("UPDATE \(f.warehouseSchema).dim_customer SET is_current = true")
        let failed = try f.dataTests(runId: run.runId).filter { !$0.passed }
        #expect(failed.map(\.name).contains("unique(fact_sales: sale_id, line_number)"))
        #expect(failed.first { $0.name == "unique(fact_sales: sale_id, line_number)" }?.sample == ["A, 1 (2 rows)"])
        let stored = try f.rows("SELECT status, failures FROM \(f.metaSchema).test_results WHERE run_id = $1 AND test = 'unique(fact_sales: sale_id, line_number)'",
                                [String(run.runId)])
        #expect(stored == [["failed", "1"]])
    }
}
