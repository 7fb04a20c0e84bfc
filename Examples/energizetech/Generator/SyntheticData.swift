import EnergizeCore

/// A deterministic synthetic EnergizeTech dataset shaped by the project's contracts
/// (`contracts/*.yml`), messy cases included: numbers whose BSON type varies, missing and null
/// optional fields, extra fields, hostile text, sales for unknown customers, and a few
/// malformed documents (a quantity of `"two"`, a missing key, a date stored as text).
public struct SyntheticData: Sendable {
    /// Sizes of the dataset; `scale` 1 is 300 customers and 5,000 sales.
    public struct Size: Sendable, Hashable {
        public var customers: Int
        public var sales: Int

        /// Creates a `Size` from its parts.
        public init(scale: Int) {
            customers = 300 * max(scale, 1)
            sales = 5_000 * max(scale, 1)
        }

        /// Creates a `Size` from its parts.
        public init(customers: Int, sales: Int) {
            self.customers = customers
            self.sales = sales
        }
    }

    /// The first day of the generated history (2024-01-01T00:00:00Z).
    public static let historyStart: Int64 = 1_704_067_200_000
    /// Days of history; sales happen between `historyStart` and `historyStart + historyDays`.
    public static let historyDays = 540
    static let day: Int64 = 86_400_000

    public let size: Size
    public let seed: UInt64

    /// Creates a `SyntheticData` from its parts.
    public init(size: Size, seed: UInt64) {
        self.size = size
        self.seed = seed
    }

    /// Customers, products and stores (small collections).
    public func referenceData() -> (customers: [Document], products: [Document], stores: [Document]) {
        var random = SeededRandom(seed: seed)
        return (customers: (1...max(size.customers, 1)).map { customer($0, &random) },
                products: products(&random), stores: stores(&random))
    }

    /// Sales and their transactions, produced in chunks so memory stays flat at any size.
    /// - Parameter body: called with each chunk of sales and the chunk's transactions.
    public func salesAndTransactions(chunk: Int = 2_000, _ body: ([Document], [Document]) throws -> Void) rethrows {
        var random = SeededRandom(seed: seed &+ 1)
        let skus = activeSKUs()
        let stores = storeChannels()
        var transactionNumber = 0
        var start = 1
        while start <= size.sales {
            let end = min(start + chunk - 1, size.sales)
            var sales: [Document] = []
            var transactions: [Document] = []
            for number in start...end {
                let soldAt = Self.historyStart + Int64.random(in: 0..<(Int64(Self.historyDays) * Self.day), using: &random)
                // Settled by the history's end: the day of changes, which starts after the latest
                // `updated_at`, then follows the last sales instead of weeks of none.
                let sale = SaleFactory.sale(number: number, soldAt: soldAt, customers: size.customers, skus: skus, stores: stores,
                                            settledBy: Self.historyStart + Int64(Self.historyDays) * Self.day, random: &random)
                sales.append(sale)
                transactions += SaleFactory.transactions(for: sale, next: &transactionNumber, random: &random)
            }
            try body(sales, transactions)
            start = end + 1
        }
    }

    func customer(_ number: Int, _ random: inout SeededRandom) -> Document {
        let place = random.pick(Catalog.places)
        let manufacturer = random.chance(0.15)
        let name: String
        if random.chance(0.03) {
            name = random.pick(Catalog.awkwardNames)
        } else if manufacturer {
            name = random.pick(Catalog.manufacturers)
        } else {
            name = "\(random.pick(Catalog.firstNames)) \(random.pick(Catalog.lastNames))"
        }
        let created = Self.historyStart - Int64.random(in: 0..<(400 * Self.day), using: &random)
        let updated = created + Int64.random(in: 0..<(30 * Self.day), using: &random)
        var document: Document = [
            "_id": .objectId(random.objectId(seconds: created / 1000)),
            "customer_id": .string(CustomerIDs.text(number)),
            "name": .string(name),
            "type": .string(manufacturer ? "manufacturer" : "consumer"),
            "city": .string(place.city), "state": .string(place.state), "region": .string(place.region),
            "created_at": .date(created), "updated_at": .date(updated),
        ]
        switch Int.random(in: 0..<20, using: &random) {
        case 0: break                                   // email missing
        case 1: document["email"] = .null               // email null
        default: document["email"] = .string("cliente\(number)@example.com.br")
        }
        if random.chance(0.2) { document["loyalty_tier"] = .string(random.pick(["bronze", "prata", "ouro"])) }
        if number % 250 == 17 { document["created_at"] = .string("2023-05-01") }   // malformed: a date as text
        return document
    }

    func products(_ random: inout SeededRandom) -> [Document] {
        var documents: [Document] = []
        for chemistry in Catalog.chemistries {
            for capacity in Catalog.capacities {
                let created = Self.historyStart - 200 * Self.day + Int64(documents.count) * Self.day
                let sku = "BAT-\(chemistry.name)-\(capacity < 10 ? "00" : capacity < 100 ? "0" : "")\(Int(capacity))"
                let price = Catalog.listPriceCents(chemistry, capacity)
                var document: Document = [
                    "_id": .objectId(random.objectId(seconds: created / 1000)),
                    "sku": .string(sku),
                    "name": .string("Bateria \(chemistry.name) \(Int(capacity)) kWh"),
                    "chemistry": .string(chemistry.name),
                    "capacity_kwh": .double(capacity),
                    "voltage": .int32(random.pick(chemistry.voltages)),
                    "warranty_years": .int32(chemistry.name == "LTO" ? 10 : 8),
                    "list_price": Money.value(price, &random),
                    "active": .bool(capacity != 5 || chemistry.name != "NCA"),
                    "created_at": .date(created), "updated_at": .date(created + Self.day),
                ]
                if random.chance(0.3) { document["cycle_life"] = .int64(Int64(2_000 + 500 * Int(capacity))) }
                documents.append(document)
            }
        }
        // Malformed for the model: a capacity written as text. No sale refers to it.
        documents.append([
            "_id": .objectId(random.objectId(seconds: Self.historyStart / 1000)), "sku": .string("BAT-PROTO-001"),
            "name": .string("Protótipo"), "chemistry": .string("LFP"), "capacity_kwh": .string("60kWh"),
            "voltage": .int32(48), "warranty_years": .int32(1), "list_price": .decimal("0.00"), "active": .bool(false),
            "created_at": .date(Self.historyStart), "updated_at": .date(Self.historyStart),
        ])
        return documents
    }

    func stores(_ random: inout SeededRandom) -> [Document] {
        (1...20).map { number in
            let online = number <= 3
            let place = online ? Catalog.places[0] : Catalog.places[(number * 7) % Catalog.places.count]
            let opened = Self.historyStart - Int64(number) * 30 * Self.day
            return [
                "_id": .objectId(random.objectId(seconds: opened / 1000)),
                "store_id": .string(String(format: "S%02d", number)),
                "name": .string(online ? "EnergizeTech Online \(number)" : "EnergizeTech \(place.city) \(number)"),
                "channel": .string(online ? "online" : "physical"),
                "city": .string(place.city), "state": .string(place.state), "region": .string(place.region),
                "opened_at": .date(opened), "updated_at": .date(opened),
            ]
        }
    }

    /// The SKUs sales may use, with their list price in cents.
    func activeSKUs() -> [(sku: String, cents: Int)] {
        Catalog.chemistries.flatMap { chemistry in
            Catalog.capacities.compactMap { capacity -> (String, Int)? in
                if capacity == 5 && chemistry.name == "NCA" { return nil }
                let sku = "BAT-\(chemistry.name)-\(capacity < 10 ? "00" : capacity < 100 ? "0" : "")\(Int(capacity))"
                return (sku, Catalog.listPriceCents(chemistry, capacity))
            }
        }
    }

    /// Store ids with their channel.
    func storeChannels() -> [(id: String, channel: String)] {
        (1...20).map { (String(format: "S%02d", $0), $0 <= 3 ? "online" : "physical") }
    }
}

/// Customer ids: `C000123`.
enum CustomerIDs {
    static func text(_ number: Int) -> String { "C" + String(format: "%06d", number) }
}

import Foundation
