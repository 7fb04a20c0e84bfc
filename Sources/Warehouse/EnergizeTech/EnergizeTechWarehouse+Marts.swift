extension EnergizeTechWarehouse {
    /// Aggregates and marts over completed sales, rebuilt each run from the facts.
    var marts: [Model] {
        let month = "date_trunc('month', f.sold_at AT TIME ZONE '\(Self.timeZone)')::date"
        return [
            Model(name: "agg_sales_month_region_product", schema: warehouseSchema, sql: """
                SELECT \(month) AS month,
                  CASE WHEN f.channel = 'physical' THEN st.region ELSE c.region END AS region,
                  f.sku, p.chemistry, count(DISTINCT f.sale_id) AS orders, sum(f.quantity) AS units,
                  sum(f.gross_amount) AS gross_revenue, sum(f.net_amount) AS net_revenue
                FROM \(wh("fact_sales")) f
                JOIN \(wh("dim_customer")) c ON c.customer_sk = f.customer_sk
                JOIN \(wh("dim_product")) p ON p.product_sk = f.product_sk
                JOIN \(wh("dim_store")) st ON st.store_sk = f.store_sk
                WHERE f.status = 'completed'
                GROUP BY 1, 2, 3, 4
                """, materialization: .table, dependencies: ["fact_sales", "dim_customer", "dim_product", "dim_store"]),
            Model(name: "mart_customer_behavior", schema: warehouseSchema, sql: """
                WITH completed AS (
                  SELECT f.*, c.customer_id FROM \(wh("fact_sales")) f JOIN \(wh("dim_customer")) c ON c.customer_sk = f.customer_sk
                  WHERE f.status = 'completed'),
                latest AS (SELECT max((sold_at AT TIME ZONE '\(Self.timeZone)')::date) AS day FROM completed)
                SELECT customer_id, min(sold_at) AS first_purchase_at, max(sold_at) AS last_purchase_at,
                  count(DISTINCT sale_id) AS orders, sum(quantity) AS units, sum(net_amount) AS net_revenue,
                  round(sum(net_amount) / count(DISTINCT sale_id), 2) AS avg_order_value,
                  (SELECT day FROM latest) - max((sold_at AT TIME ZONE '\(Self.timeZone)')::date) AS recency_days
                FROM completed WHERE customer_sk <> -1
                GROUP BY customer_id
                """, materialization: .table, dependencies: ["fact_sales", "dim_customer"]),
            Model(name: "mart_market_trends", schema: warehouseSchema, sql: """
                WITH monthly AS (
                  SELECT \(month) AS month, p.chemistry, sum(f.quantity) AS units, sum(f.net_amount) AS net_revenue
                  FROM \(wh("fact_sales")) f JOIN \(wh("dim_product")) p ON p.product_sk = f.product_sk
                  WHERE f.status = 'completed' GROUP BY 1, 2)
                SELECT m.month, m.chemistry, m.units, m.net_revenue,
                  CASE WHEN previous.net_revenue IS NULL OR previous.net_revenue = 0 THEN NULL
                       ELSE m.net_revenue / previous.net_revenue - 1 END AS mom_growth
                FROM monthly m LEFT JOIN monthly previous ON previous.chemistry IS NOT DISTINCT FROM m.chemistry
                  AND previous.month = (m.month - interval '1 month')::date
                """, materialization: .table, dependencies: ["fact_sales", "dim_product"]),
        ]
    }
}
