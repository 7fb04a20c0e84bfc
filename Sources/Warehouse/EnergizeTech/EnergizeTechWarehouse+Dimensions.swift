extension EnergizeTechWarehouse {
    /// `dim_date`, `dim_customer` and `dim_product` (SCD2), `dim_store` (type 1).
    var dimensions: [Model] {
        [
            Model(name: "dim_date", schema: warehouseSchema, sql: """
                WITH days AS (
                  SELECT (sold_at AT TIME ZONE '\(Self.timeZone)')::date AS day FROM \(stg("stg_sales"))
                  UNION SELECT (occurred_at AT TIME ZONE '\(Self.timeZone)')::date FROM \(stg("stg_transactions"))),
                bounds AS (SELECT min(day) AS first_day, max(day) AS last_day FROM days)
                SELECT to_char(d, 'YYYYMMDD')::integer AS date_key, d AS date, extract(year FROM d)::integer AS year,
                  extract(quarter FROM d)::integer AS quarter, extract(month FROM d)::integer AS month,
                  to_char(d, 'FMMonth') AS month_name, extract(week FROM d)::integer AS iso_week,
                  extract(isodow FROM d)::integer AS day_of_week, extract(isodow FROM d) IN (6, 7) AS is_weekend
                FROM bounds, LATERAL generate_series(first_day, last_day, interval '1 day') AS g(ts), LATERAL (SELECT g.ts::date AS d) x
                UNION ALL
                SELECT -1, NULL, NULL, NULL, NULL, 'unknown', NULL, NULL, NULL
                """, materialization: .table, dependencies: ["stg_sales", "stg_transactions"]),
            Model(name: "dim_customer", schema: warehouseSchema, sql: """
                SELECT customer_id, name, email, type, city, state, region, created_at, updated_at FROM \(stg("stg_customers"))
                """, materialization: .scd2(SCD2Dimension(naturalKey: "customer_id", surrogateKey: "customer_sk",
                                                          tracked: ["name", "email", "type", "city", "state", "region"],
                                                          carried: ["created_at", "updated_at"])),
                  dependencies: ["stg_customers"]),
            Model(name: "dim_product", schema: warehouseSchema, sql: """
                SELECT sku, name, chemistry, capacity_kwh, voltage, warranty_years, list_price, active, created_at, updated_at
                FROM \(stg("stg_products"))
                """, materialization: .scd2(SCD2Dimension(naturalKey: "sku", surrogateKey: "product_sk",
                                                          tracked: ["name", "chemistry", "capacity_kwh", "voltage", "warranty_years", "list_price", "active"],
                                                          carried: ["created_at", "updated_at"])),
                  dependencies: ["stg_products"]),
            Model(name: "dim_store", schema: warehouseSchema, sql: """
                SELECT store_id, name, channel, city, state, region, opened_at, updated_at FROM \(stg("stg_stores"))
                """, materialization: .type1(Type1Dimension(naturalKey: "store_id", surrogateKey: "store_sk",
                                                            attributes: ["name", "channel", "city", "state", "region", "opened_at", "updated_at"])),
                  dependencies: ["stg_stores"]),
        ]
    }

    /// The surrogate key of the version of `dimension` valid at `time` for natural key `key`
    /// (the last one starting at or before it; before the first version, the first; else -1).
    func versionLookup(_ dimension: String, sk: String, naturalKey: String, key: String, at time: String, alias: String) -> String {
        """
        LEFT JOIN LATERAL (SELECT coalesce(
            (SELECT d.\(sk) FROM \(wh(dimension)) d WHERE d.\(naturalKey) = \(key) AND d.valid_from <= \(time)
             ORDER BY d.valid_from DESC LIMIT 1),
            (SELECT d.\(sk) FROM \(wh(dimension)) d WHERE d.\(naturalKey) = \(key) AND d.\(sk) <> -1
             ORDER BY d.valid_from ASC LIMIT 1), -1) AS sk) \(alias) ON true
        """
    }
}
