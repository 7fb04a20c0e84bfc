/// The data tests of warehouse.md §6 on the EnergizeTech model set.
enum EnergizeTechTests {
    static var all: [DataTest] {
        var tests: [DataTest] = []
        // Surrogate keys and grains: unique and not null.
        for (model, key) in [("dim_customer", "customer_sk"), ("dim_product", "product_sk"), ("dim_store", "store_sk"),
                             ("dim_date", "date_key"), ("fact_transactions", "transaction_id")] {
            tests += [DataTest(model: model, .unique([key])), DataTest(model: model, .notNull(key))]
        }
        tests += [DataTest(model: "fact_sales", .unique(["sale_id", "line_number"])),
                  DataTest(model: "fact_sales", .notNull("sale_id")), DataTest(model: "fact_sales", .notNull("line_number"))]
        // Natural keys (the unknown member -1 has none).
        tests += [DataTest(model: "dim_customer", .notNull("customer_id"), filter: "customer_sk <> -1"),
                  DataTest(model: "dim_customer", .unique(["customer_id", "valid_from"])),
                  DataTest(model: "dim_product", .notNull("sku"), filter: "product_sk <> -1"),
                  DataTest(model: "dim_product", .unique(["sku", "valid_from"])),
                  DataTest(model: "dim_store", .notNull("store_id"), filter: "store_sk <> -1"),
                  DataTest(model: "dim_store", .unique(["store_id"]), filter: "store_sk <> -1")]
        // SCD2 history.
        for (model, key, sk) in [("dim_customer", "customer_id", "customer_sk"), ("dim_product", "sku", "product_sk")] {
            tests += [DataTest(model: model, .oneCurrentVersion(key: key), filter: "\(sk) <> -1"),
                      DataTest(model: model, .noOverlappingVersions(key: key), filter: "\(sk) <> -1")]
        }
        // Every fact foreign key resolves (the unknown member counts).
        tests += [
            DataTest(model: "fact_sales", .relationship(column: "customer_sk", to: "dim_customer", toColumn: "customer_sk")),
            DataTest(model: "fact_sales", .relationship(column: "product_sk", to: "dim_product", toColumn: "product_sk")),
            DataTest(model: "fact_sales", .relationship(column: "store_sk", to: "dim_store", toColumn: "store_sk")),
            DataTest(model: "fact_sales", .relationship(column: "date_key", to: "dim_date", toColumn: "date_key")),
            DataTest(model: "fact_transactions", .relationship(column: "customer_sk", to: "dim_customer", toColumn: "customer_sk")),
            DataTest(model: "fact_transactions", .relationship(column: "date_key", to: "dim_date", toColumn: "date_key")),
        ]
        // Accepted values.
        tests += [
            DataTest(model: "dim_customer", .acceptedValues("type", ["consumer", "manufacturer"])),
            DataTest(model: "dim_product", .acceptedValues("chemistry", ["LFP", "NMC", "NCA", "LTO"])),
            DataTest(model: "dim_store", .acceptedValues("channel", ["online", "physical"])),
            DataTest(model: "fact_sales", .acceptedValues("channel", ["online", "physical"])),
            DataTest(model: "fact_sales", .acceptedValues("status", ["completed", "cancelled", "returned"])),
            DataTest(model: "fact_transactions", .acceptedValues("kind", ["payment", "refund"])),
            DataTest(model: "fact_transactions", .acceptedValues("method", ["pix", "credit_card", "debit_card", "boleto"])),
        ]
        return tests
    }
}
