import EnergizeCore

/// One change to apply to the source.
public enum SourceChange: Sendable, Hashable {
    case insert(collection: String, documents: [Document])
    /// Replaces the document with this `_id` by a whole new version (never `$set`).
    case replace(collection: String, id: Value, document: Document)
    case delete(collection: String, id: Value)
}

/// A deterministic "day of changes" to the EnergizeTech source, so incremental runs have
/// real work: late status updates of old sales, customers who move or change e-mail,
/// a price change, deletes, new customers, sales and transactions.
public struct DayOfChanges: Sendable {
    /// What the source holds now, as far as the changes need it.
    public struct Snapshot: Sendable {
        public var customers: [Document]
        public var products: [Document]
        public var stores: [Document]
        /// Sales sold in the 30 days before `clock`.
        public var recentSales: [Document]
        /// A sample of sales sold 60 to 120 days before `clock` (late updates).
        public var olderSales: [Document]
        /// The greatest sale and transaction numbers in use.
        public var lastSaleNumber: Int
        public var lastTransactionNumber: Int
        /// When the day of changes starts: after every `updated_at` in the source.
        public var clock: Int64

        /// Creates a `Snapshot` from its parts.
        public init(customers: [Document], products: [Document], stores: [Document], recentSales: [Document],
                    olderSales: [Document], lastSaleNumber: Int, lastTransactionNumber: Int, clock: Int64) {
            self.customers = customers
            self.products = products
            self.stores = stores
            self.recentSales = recentSales
            self.olderSales = olderSales
            self.lastSaleNumber = lastSaleNumber
            self.lastTransactionNumber = lastTransactionNumber
            self.clock = clock
        }
    }

    public var percent: Double
    public var seed: UInt64

    /// Creates a `DayOfChanges` from its parts.
    public init(percent: Double, seed: UInt64) {
        self.percent = percent
        self.seed = seed
    }

    static let day: Int64 = 86_400_000

    /// The changes for one day after `snapshot.clock`.
    public func changes(to snapshot: Snapshot) -> [SourceChange] {
        var random = SeededRandom(seed: seed ^ UInt64(bitPattern: snapshot.clock))
        let fraction = max(0, min(percent, 100)) / 100
        var time = snapshot.clock
        func tick() -> Int64 { time += Int64.random(in: 1_000...600_000, using: &random); return time }
        var changes: [SourceChange] = []

        // Customers: some move (tracked attributes change), one is deleted, a few are new.
        var customers = snapshot.customers.filter { $0["customer_id"] != nil }
        customers.sort { DocumentOrder.text($0["customer_id"]) < DocumentOrder.text($1["customer_id"]) }
        for var customer in customers where random.chance(fraction) {
            guard let id = customer["_id"] else { continue }
            if random.chance(0.7) {
                let place = random.pick(Catalog.places)
                customer["city"] = .string(place.city)
                customer["state"] = .string(place.state)
                customer["region"] = .string(place.region)
            } else {
                customer["email"] = .string("novo\(Int.random(in: 1...9999, using: &random))@example.com.br")
            }
            customer["updated_at"] = .date(tick())
            changes.append(.replace(collection: "customers", id: id, document: customer))
        }
        if customers.count > 10, let victim = customers.dropFirst(5).randomElement(using: &random), let id = victim["_id"] {
            changes.append(.delete(collection: "customers", id: id))
        }
        let lastCustomer = customers.compactMap { DocumentOrder.number(in: $0["customer_id"]) }.max() ?? 0
        let generator = SyntheticData(size: .init(customers: lastCustomer, sales: 0), seed: seed)
        let newCustomers = (1...max(1, Int(Double(customers.count) * fraction / 10))).map { offset -> Document in
            var customer = generator.customer(lastCustomer + offset, &random)
            let now = tick()
            customer["created_at"] = .date(now)
            customer["updated_at"] = .date(now)
            return customer
        }
        changes.append(.insert(collection: "customers", documents: newCustomers))

        // Products: one price change.
        if var product = snapshot.products.filter({ $0["sku"] != nil }).randomElement(using: &random), let id = product["_id"] {
            let cents = SaleFactory.cents(of: product["list_price"])
            product["list_price"] = Money.value(cents + Money.fraction(cents, 0.05), &random)
            product["updated_at"] = .date(tick())
            changes.append(.replace(collection: "products", id: id, document: product))
        }

        // Sales: late status changes (recent and older ones), one delete inside the window, new sales.
        var refunds: [Document] = []
        var transactionNumber = snapshot.lastTransactionNumber
        let candidates = snapshot.recentSales + snapshot.olderSales
        for var sale in candidates where DocumentOrder.text(sale["status"]) == "completed" && random.chance(fraction) {
            guard let id = sale["_id"] else { continue }
            let status = random.chance(0.6) ? "returned" : "cancelled"
            sale["status"] = .string(status)
            sale["updated_at"] = .date(tick())
            changes.append(.replace(collection: "sales", id: id, document: sale))
            if status == "returned" {
                refunds += SaleFactory.transactions(for: sale, next: &transactionNumber, random: &random)
                    .filter { DocumentOrder.text($0["kind"]) == "refund" }
            }
        }
        // Deleted inside the look-back window, so an incremental load sees it go.
        let deletable = snapshot.recentSales.filter {
            if case .date(let updated) = $0["updated_at"] { return updated >= snapshot.clock - 3 * Self.day }
            return false
        }
        if let victim = deletable.randomElement(using: &random), let id = victim["_id"] {
            changes.append(.delete(collection: "sales", id: id))
        }
        let skus = generator.activeSKUs()
        let stores = generator.storeChannels()
        let perDay = max(1, snapshot.recentSales.count / 30)
        var sales: [Document] = []
        var payments: [Document] = []
        for offset in 1...perDay {
            let sale = SaleFactory.sale(number: snapshot.lastSaleNumber + offset, soldAt: tick(),
                                        customers: lastCustomer + newCustomers.count, skus: skus, stores: stores, random: &random)
            sales.append(sale)
            payments += SaleFactory.transactions(for: sale, next: &transactionNumber, random: &random)
        }
        changes.append(.insert(collection: "sales", documents: sales))
        changes.append(.insert(collection: "transactions", documents: refunds + payments))
        return changes
    }
}

/// Small helpers to read generated documents.
enum DocumentOrder {
    static func text(_ value: Value?) -> String {
        if case .string(let text) = value { return text }
        return ""
    }

    /// The number in an id like `C000123` or `SA00000042`.
    static func number(in value: Value?) -> Int? {
        Int(text(value).drop { !$0.isNumber })
    }
}
