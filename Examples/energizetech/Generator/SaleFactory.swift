import EnergizeCore
import Foundation

/// Builds sale and transaction documents, messy cases included.
enum SaleFactory {
    static let day: Int64 = 86_400_000

    static func saleID(_ number: Int) -> String { "SA" + String(format: "%08d", number) }

    /// A sale document.
    /// - Parameters:
    ///   - number: the sale's number (its `sale_id` and which messy case it is).
    ///   - soldAt: when it was sold (ms since the epoch).
    ///   - customers: how many customers there are (about 1% of sales name one that does not exist).
    ///   - skus: the products and their prices in cents.
    ///   - stores: the stores and their channels.
    ///   - settledBy: the latest a cancelled or returned sale settles (its `updated_at`), so a
    ///     history ends when its sales do; nil for no bound.
    ///   - random: the generator.
    static func sale(number: Int, soldAt: Int64, customers: Int, skus: [(sku: String, cents: Int)],
                     stores: [(id: String, channel: String)], settledBy: Int64? = nil, random: inout SeededRandom) -> Document {
        let store = random.pick(stores)
        let customerNumber = random.chance(0.01) ? customers + 1 + Int.random(in: 0..<50, using: &random) : Int.random(in: 1...max(customers, 1), using: &random)
        let roll = Double.random(in: 0..<1, using: &random)
        let status = roll < 0.88 ? "completed" : roll < 0.95 ? "cancelled" : "returned"
        var items: [Value] = []
        var total = 0
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            let product = random.pick(skus)
            let quantity = Int.random(in: 1...5, using: &random)
            let discount: Double? = random.chance(0.5) ? nil : random.pick([0.0, 0.05, 0.1, 0.15])
            let gross = quantity * product.cents
            total += gross - Money.fraction(gross, discount ?? 0)
            var item: Document = ["sku": .string(product.sku)]
            switch Int.random(in: 0..<20, using: &random) {
            case 0: item["quantity"] = .double(Double(quantity))         // 2.0 is whole
            case 1: item["quantity"] = .int64(Int64(quantity))
            default: item["quantity"] = .int32(Int32(quantity))
            }
            item["unit_price"] = Money.value(product.cents, &random, allowInt: true)
            if let discount { item["discount"] = .double(discount) }
            items.append(.document(item))
        }
        let drawn = status == "completed" ? soldAt + Int64.random(in: 0..<(3_600_000), using: &random)
                                          : soldAt + Int64.random(in: 1...20, using: &random) * day
        let settled = settledBy.map { min(drawn, max(soldAt, $0)) } ?? drawn
        var document: Document = [
            "_id": .objectId(random.objectId(seconds: soldAt / 1000)),
            "sale_id": .string(saleID(number)),
            "customer_id": .string(CustomerIDs.text(customerNumber)),
            "store_id": .string(store.id),
            "channel": .string(store.channel),
            "sold_at": .date(soldAt),
            "status": .string(status),
            "items": .array(items),
            "total_amount": Money.value(total, &random),
            "currency": .string("BRL"),
            "updated_at": .date(settled),
        ]
        if random.chance(0.05) { document["coupon_code"] = .string("VOLT\(number % 97)") }
        if random.chance(0.01) { document["notes"] = .string(random.pick(Catalog.awkwardNames) + " — entrega\tagendada\nobs: \\sem\\ \"pressa\"") }
        switch number % 400 {
        case 7:   // malformed: a quantity written as a word
            if case .document(var first) = items[0] {
                first["quantity"] = .string("two")
                items[0] = .document(first)
                document["items"] = .array(items)
            }
        case 211: document["customer_id"] = nil          // malformed: a required key missing
        case 307: document["items"] = .array([])          // malformed: no items
        default: break
        }
        return document
    }

    static func transactions(for sale: Document, next: inout Int, random: inout SeededRandom) -> [Document] {
        guard case .string(let saleID) = sale["sale_id"], case .string(let status) = sale["status"],
              case .date(let soldAt) = sale["sold_at"], status != "cancelled" else { return [] }
        let cents = cents(of: sale["total_amount"])
        var documents: [Document] = []
        let method = random.pick(Catalog.methods)
        next += 1
        let paidAt = soldAt + Int64.random(in: 0..<600_000, using: &random)
        documents.append(transaction(number: next, saleID: saleID, kind: "payment", method: method, cents: cents,
                                     at: paidAt, random: &random))
        if status == "returned", case .date(let updated) = sale["updated_at"] {
            next += 1
            documents.append(transaction(number: next, saleID: saleID, kind: "refund", method: method, cents: cents,
                                         at: updated, random: &random))
        }
        return documents
    }

    static func transaction(number: Int, saleID: String, kind: String, method: String, cents: Int, at time: Int64,
                            random: inout SeededRandom) -> Document {
        var document: Document = [
            "_id": .objectId(random.objectId(seconds: time / 1000)),
            "transaction_id": .string("T" + String(format: "%09d", number)),
            "sale_id": .string(saleID),
            "kind": .string(kind),
            "method": .string(method),
            "amount": Money.value(cents, &random),
            "installments": .int32(method == "credit_card" ? Int32.random(in: 1...12, using: &random) : 1),
            "occurred_at": .date(time),
            "updated_at": .date(time),
        ]
        if number % 333 == 100 { document["amount"] = .string("R$ 10,00") }   // malformed: money as text
        return document
    }

    /// Cents of a money value as generated (Decimal128 text or double).
    static func cents(of value: Value?) -> Int {
        switch value {
        case .decimal(let text): Int(((Double(text) ?? 0) * 100).rounded())
        case .double(let d): Int((d * 100).rounded())
        case .int32(let n): Int(n) * 100
        default: 0
        }
    }
}
