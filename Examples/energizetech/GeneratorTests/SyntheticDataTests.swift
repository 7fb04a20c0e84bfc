import EnergizeCLI
import EnergizeCore
@testable import EnergizeTech
import Foundation
import Testing

/// The EnergizeTech project's streams, with the contracts of its folder.
enum EnergizeTechProject {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

    static func stream(_ name: String) throws -> StreamConfig {
        let config = try ConfigReader(file: folder.appendingPathComponent("energize.yml").path, environment: [:]).read()
        return try #require(config.streams.first { $0.name == name })
    }
}

@Suite struct SyntheticDataTests {
    let data = SyntheticData(size: .init(customers: 300, sales: 1_200), seed: 7)

    func sales() -> (sales: [Document], transactions: [Document]) {
        var sales: [Document] = [], transactions: [Document] = []
        data.salesAndTransactions(chunk: 500) { sales += $0; transactions += $1 }
        return (sales, transactions)
    }

    @Test func sameSeedSameData() {
        let other = SyntheticData(size: .init(customers: 300, sales: 1_200), seed: 7)
        #expect(data.referenceData().customers == other.referenceData().customers)
        var first: [Document] = []
        other.salesAndTransactions { first += $0; _ = $1 }
        #expect(first == sales().sales)
    }

    /// The history ends when its sales do: nothing settles after the last day, so the day of
    /// changes (after the latest `updated_at`) follows the last sales, and no sale settles before it was sold.
    @Test func theHistoryEndsWithItsSales() {
        let end = SyntheticData.historyStart + Int64(SyntheticData.historyDays) * 86_400_000
        // The demo's size: a few hundred sales are cancelled or returned in the last 20 days.
        var sales: [Document] = [], transactions: [Document] = []
        SyntheticData(size: .init(customers: 300, sales: 5_000), seed: 42).salesAndTransactions { sales += $0; transactions += $1 }
        for document in sales + transactions {
            guard case .date(let updated) = document["updated_at"] else { Issue.record("no updated_at: \(document)"); continue }
            #expect(updated <= end)
            if case .date(let sold) = document["sold_at"] { #expect(updated >= sold) }
        }
        // Some sales still settle days after they were sold.
        #expect(sales.contains { document in
            guard case .date(let sold) = document["sold_at"], case .date(let updated) = document["updated_at"] else { return false }
            return updated - sold >= 86_400_000
        })
    }

    @Test func onlyTheDeliberatelyMalformedDocumentsBreakTheContract() throws {
        let reference = data.referenceData()
        let (sales, transactions) = sales()
        func violations(_ stream: StreamConfig, _ documents: [Document]) -> [String] {
            documents.compactMap { stream.rules.violation(in: $0) }
        }
        #expect(violations(try EnergizeTechProject.stream("customers"), reference.customers) == Array(repeating: "field `created_at` must be a date but is string \"2023-05-01\"", count: 2))
        #expect(violations(try EnergizeTechProject.stream("products"), reference.products) == ["field `capacity_kwh` must be a number but is string \"60kWh\""])
        #expect(violations(try EnergizeTechProject.stream("stores"), reference.stores).isEmpty)
        #expect(Set(violations(try EnergizeTechProject.stream("sales"), sales)) == [
            "field `items.0.quantity` must be a whole number but is string \"two\"",
            "field `customer_id` is required but is missing",
            "field `items` must be a non-empty array of documents but is empty",
        ])
        #expect(violations(try EnergizeTechProject.stream("transactions"), transactions).allSatisfy { $0.hasPrefix("field `amount` must be a number") })
    }

    @Test func dataHasTheMessOfRealData() {
        let reference = data.referenceData()
        let (sales, _) = sales()
        let emails = reference.customers.map { $0["email"] }
        #expect(emails.contains(nil) && emails.contains(.null))
        let prices = Set(sales.flatMap { sale -> [String] in
            guard case .array(let items) = sale["items"] else { return [] }
            return items.compactMap { if case .document(let item) = $0 { return item["unit_price"]?.kindName } else { return nil } }
        })
        #expect(prices == ["decimal128", "double", "int32"])
        #expect(sales.contains { $0["coupon_code"] != nil })
        #expect(Set(sales.compactMap { if case .string(let s) = $0["status"] { s } else { nil } }) == ["completed", "cancelled", "returned"])
    }

    @Test func aDayOfChangesIsDeterministicAndTouchesEveryKind() {
        let reference = data.referenceData()
        let (sales, _) = sales()
        let snapshot = DayOfChanges.Snapshot(customers: reference.customers, products: reference.products, stores: reference.stores,
                                             recentSales: Array(sales.suffix(200)), olderSales: Array(sales.prefix(100)),
                                             lastSaleNumber: 1_200, lastTransactionNumber: 2_000,
                                             clock: SyntheticData.historyStart + 541 * 86_400_000)
        let day = DayOfChanges(percent: 10, seed: 3)
        let changes = day.changes(to: snapshot)
        #expect(changes == day.changes(to: snapshot))
        #expect(changes.contains { if case .replace("customers", _, _) = $0 { true } else { false } })
        #expect(changes.contains { if case .replace("sales", _, _) = $0 { true } else { false } })
        #expect(changes.contains { if case .delete("customers", _) = $0 { true } else { false } })
        #expect(changes.contains { if case .insert("sales", let documents) = $0 { !documents.isEmpty } else { false } })
    }
}
