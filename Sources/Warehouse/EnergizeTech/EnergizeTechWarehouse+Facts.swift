extension EnergizeTechWarehouse {
    private var customerVersions: String {
        SCD2Dimension(naturalKey: "customer_id", surrogateKey: "customer_sk", tracked: []).newVersions(table: wh("dim_customer"))
    }

    private var productVersions: String {
        SCD2Dimension(naturalKey: "sku", surrogateKey: "product_sk", tracked: []).newVersions(table: wh("dim_product"))
    }

    /// `fact_sales` (one row per sale line) and `fact_transactions`, maintained incrementally.
    var facts: [Model] {
        [
            Model(name: "fact_sales", schema: warehouseSchema, sql: """
                SELECT i.sale_id, i.line_number, \(Self.dateKey("s.sold_at")) AS date_key, s.sold_at,
                  c.sk AS customer_sk, p.sk AS product_sk, coalesce(st.store_sk, -1) AS store_sk, i.sku,
                  s.channel, s.status, i.quantity, i.unit_price, i.discount,
                  i.quantity * i.unit_price AS gross_amount,
                  round(i.quantity * i.unit_price * i.discount, 2) AS discount_amount,
                  i.quantity * i.unit_price - round(i.quantity * i.unit_price * i.discount, 2) AS net_amount
                FROM \(stg("stg_sale_items")) i JOIN \(stg("stg_sales")) s ON s.sale_id = i.sale_id
                \(versionLookup("dim_customer", sk: "customer_sk", naturalKey: "customer_id", key: "s.customer_id", at: "s.sold_at", alias: "c"))
                \(versionLookup("dim_product", sk: "product_sk", naturalKey: "sku", key: "i.sku", at: "s.sold_at", alias: "p"))
                LEFT JOIN \(wh("dim_store")) st ON st.store_id = s.store_id
                """, materialization: .incremental(IncrementalConfig(uniqueKey: ["sale_id", "line_number"], scope: ["sale_id"], changedScopes: """
                    SELECT sale_id FROM \(stg("stg_sales")) WHERE _run_id > $1::bigint AND $2::bigint IS NOT NULL
                    UNION SELECT s.sale_id FROM \(stg("stg_sales")) s JOIN (\(customerVersions)) d
                      ON d.customer_id = s.customer_id AND s.sold_at >= d.since
                    UNION SELECT i.sale_id FROM (\(productVersions)) d JOIN \(stg("stg_sales")) s ON s.sold_at >= d.since
                      JOIN \(stg("stg_sale_items")) i ON i.sale_id = s.sale_id AND i.sku = d.sku
                    UNION SELECT s.sale_id FROM \(stg("stg_sales")) s JOIN \(wh("dim_store")) d ON d.store_id = s.store_id WHERE d._changed_run > $1::bigint
                    UNION (SELECT sale_id FROM \(wh("fact_sales")) EXCEPT SELECT sale_id FROM \(stg("stg_sales")))
                    """)),
                  dependencies: ["stg_sale_items", "stg_sales", "dim_customer", "dim_product", "dim_store"]),
            Model(name: "fact_transactions", schema: warehouseSchema, sql: """
                SELECT t.transaction_id, t.sale_id, \(Self.dateKey("t.occurred_at")) AS date_key, t.occurred_at,
                  c.sk AS customer_sk, t.kind, t.method, t.installments,
                  CASE WHEN t.kind = 'refund' THEN -t.amount ELSE t.amount END AS signed_amount
                FROM \(stg("stg_transactions")) t LEFT JOIN \(stg("stg_sales")) s ON s.sale_id = t.sale_id
                \(versionLookup("dim_customer", sk: "customer_sk", naturalKey: "customer_id", key: "s.customer_id", at: "t.occurred_at", alias: "c"))
                """, materialization: .incremental(IncrementalConfig(uniqueKey: ["transaction_id"], changedScopes: """
                    SELECT transaction_id FROM \(stg("stg_transactions")) WHERE _run_id > $1::bigint AND $2::bigint IS NOT NULL
                    UNION SELECT t.transaction_id FROM \(stg("stg_transactions")) t JOIN \(stg("stg_sales")) s ON s.sale_id = t.sale_id WHERE s._run_id > $1::bigint
                    UNION SELECT t.transaction_id FROM \(stg("stg_transactions")) t JOIN \(stg("stg_sales")) s ON s.sale_id = t.sale_id
                      JOIN (\(customerVersions)) d ON d.customer_id = s.customer_id AND t.occurred_at >= d.since
                    UNION SELECT f.transaction_id FROM \(wh("fact_transactions")) f WHERE f.customer_sk <> -1
                      AND NOT EXISTS (SELECT 1 FROM \(stg("stg_sales")) s WHERE s.sale_id = f.sale_id)
                    UNION (SELECT transaction_id FROM \(wh("fact_transactions")) EXCEPT SELECT transaction_id FROM \(stg("stg_transactions")))
                    """)),
                  dependencies: ["stg_transactions", "stg_sales", "dim_customer"]),
        ]
    }
}
