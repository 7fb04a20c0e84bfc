-- The two forms of the SCD2 surrogate-key lookup of fact_sales, timed on the demo warehouse
-- (BENCHMARKS.md, issue 8): psql "$ENERGIZE_PG_URI" -XAq -f scripts/lookup_forms.sql | grep 'Execution Time'
\timing on
SET jit = off;
-- old: LEFT JOIN LATERAL
EXPLAIN ANALYZE SELECT i.sale_id, c.sk, p.sk FROM staging.stg_sale_items i JOIN staging.stg_sales s ON s.sale_id = i.sale_id
LEFT JOIN LATERAL (SELECT coalesce(
    (SELECT d.customer_sk FROM warehouse.dim_customer d WHERE d.customer_id = s.customer_id AND d.valid_from <= s.sold_at ORDER BY d.valid_from DESC LIMIT 1),
    (SELECT d.customer_sk FROM warehouse.dim_customer d WHERE d.customer_id = s.customer_id AND d.customer_sk <> -1 ORDER BY d.valid_from ASC LIMIT 1), -1) AS sk) c ON true
LEFT JOIN LATERAL (SELECT coalesce(
    (SELECT d.product_sk FROM warehouse.dim_product d WHERE d.sku = i.sku AND d.valid_from <= s.sold_at ORDER BY d.valid_from DESC LIMIT 1),
    (SELECT d.product_sk FROM warehouse.dim_product d WHERE d.sku = i.sku AND d.product_sk <> -1 ORDER BY d.valid_from ASC LIMIT 1), -1) AS sk) p ON true;
-- new: scalar expression
EXPLAIN ANALYZE SELECT i.sale_id,
 coalesce(
    (SELECT energize_v."customer_sk" FROM warehouse.dim_customer energize_v WHERE energize_v."customer_id" = s.customer_id AND energize_v.valid_from <= s.sold_at ORDER BY energize_v.valid_from DESC LIMIT 1),
    (SELECT energize_v."customer_sk" FROM warehouse.dim_customer energize_v WHERE energize_v."customer_id" = s.customer_id AND energize_v."customer_sk" <> -1 ORDER BY energize_v.valid_from ASC LIMIT 1), -1),
 coalesce(
    (SELECT energize_v."product_sk" FROM warehouse.dim_product energize_v WHERE energize_v."sku" = i.sku AND energize_v.valid_from <= s.sold_at ORDER BY energize_v.valid_from DESC LIMIT 1),
    (SELECT energize_v."product_sk" FROM warehouse.dim_product energize_v WHERE energize_v."sku" = i.sku AND energize_v."product_sk" <> -1 ORDER BY energize_v.valid_from ASC LIMIT 1), -1)
FROM staging.stg_sale_items i JOIN staging.stg_sales s ON s.sale_id = i.sale_id;
