import EnergizeCore

/// The EnergizeTech source contract (`source-contract.md`) as energize streams.
///
/// customers, products and stores load with `replace`; sales and transactions with
/// `incremental` on `updated_at` with a 7-day look-back. Each stream declares the contract's
/// required fields, so a malformed document goes to `_rejects` with the field path.
public enum EnergizeTechStreams {
    /// The default database name.
    public static let database = "energizetech"

    public static let customers = StreamConfig("customers", strategy: .replace, contract: [
        FieldRequirement("customer_id", .string), FieldRequirement("name", .string),
        FieldRequirement("email", .string, optional: true), FieldRequirement("type", .string),
        FieldRequirement("city", .string), FieldRequirement("state", .string), FieldRequirement("region", .string),
        FieldRequirement("created_at", .date), FieldRequirement("updated_at", .date),
    ])

    public static let products = StreamConfig("products", strategy: .replace, contract: [
        FieldRequirement("sku", .string), FieldRequirement("name", .string), FieldRequirement("chemistry", .string),
        FieldRequirement("capacity_kwh", .number), FieldRequirement("voltage", .wholeNumber),
        FieldRequirement("warranty_years", .wholeNumber), FieldRequirement("list_price", .number),
        FieldRequirement("active", .bool), FieldRequirement("created_at", .date), FieldRequirement("updated_at", .date),
    ])

    public static let stores = StreamConfig("stores", strategy: .replace, contract: [
        FieldRequirement("store_id", .string), FieldRequirement("name", .string), FieldRequirement("channel", .string),
        FieldRequirement("city", .string), FieldRequirement("state", .string), FieldRequirement("region", .string),
        FieldRequirement("opened_at", .date), FieldRequirement("updated_at", .date),
    ])

    public static let sales = StreamConfig(
        "sales", strategy: .incremental(cursor: "updated_at", key: "sale_id", lookback: .days(7)),
        contract: [
            FieldRequirement("sale_id", .string), FieldRequirement("customer_id", .string),
            FieldRequirement("store_id", .string), FieldRequirement("channel", .string),
            FieldRequirement("sold_at", .date), FieldRequirement("status", .string),
            FieldRequirement("items", .documents([
                FieldRequirement("sku", .string), FieldRequirement("quantity", .wholeNumber),
                FieldRequirement("unit_price", .number), FieldRequirement("discount", .number, optional: true),
            ])),
            FieldRequirement("total_amount", .number), FieldRequirement("currency", .string),
            FieldRequirement("updated_at", .date),
        ])

    public static let transactions = StreamConfig(
        "transactions", strategy: .incremental(cursor: "updated_at", key: "transaction_id", lookback: .days(7)),
        contract: [
            FieldRequirement("transaction_id", .string), FieldRequirement("sale_id", .string),
            FieldRequirement("kind", .string), FieldRequirement("method", .string),
            FieldRequirement("amount", .number), FieldRequirement("installments", .wholeNumber),
            FieldRequirement("occurred_at", .date), FieldRequirement("updated_at", .date),
        ])

    /// All five streams, small ones first.
    public static let all: [StreamConfig] = [customers, products, stores, sales, transactions]
}
