-- energize: materialized=incremental unique_key=sale_id,line_number scope=sale_id
-- One row per sale line with its dimension keys (versions valid at sold_at) and amounts; rebuilt per sale.
SELECT i.sale_id, i.line_number, to_char((s.sold_at AT TIME ZONE {{ var('time_zone') }})::date, 'YYYYMMDD')::integer AS date_key, s.sold_at,
  coalesce(c.customer_sk, -1) AS customer_sk, coalesce(p.product_sk, -1) AS product_sk,
  coalesce(st.store_sk, -1) AS store_sk, i.sku,
  s.channel, s.status, i.quantity, i.unit_price, i.discount,
  i.quantity * i.unit_price AS gross_amount,
  round(i.quantity * i.unit_price * i.discount, 2) AS discount_amount,
  i.quantity * i.unit_price - round(i.quantity * i.unit_price * i.discount, 2) AS net_amount
FROM {{ ref('stg_sale_items') }} i JOIN {{ ref('stg_sales') }} s ON s.sale_id = i.sale_id
{{ scd2_join('dim_customer', 's.customer_id', 's.sold_at', 'c') }}
{{ scd2_join('dim_product', 'i.sku', 's.sold_at', 'p') }}
LEFT JOIN {{ ref('dim_store') }} st ON st.store_id = s.store_id
-- energize: changed_scopes
SELECT sale_id FROM {{ ref('stg_sales') }} WHERE _run_id > {{ last_run_id }}
UNION SELECT s.sale_id FROM {{ ref('stg_sales') }} s JOIN ({{ new_versions('dim_customer') }}) d
  ON d.customer_id = s.customer_id AND s.sold_at >= d.since
UNION SELECT i.sale_id FROM ({{ new_versions('dim_product') }}) d JOIN {{ ref('stg_sales') }} s ON s.sold_at >= d.since
  JOIN {{ ref('stg_sale_items') }} i ON i.sale_id = s.sale_id AND i.sku = d.sku
UNION SELECT s.sale_id FROM {{ ref('stg_sales') }} s JOIN {{ ref('dim_store') }} d ON d.store_id = s.store_id WHERE d._changed_run > {{ last_run_id }}
UNION (SELECT sale_id FROM {{ this }} EXCEPT SELECT sale_id FROM {{ ref('stg_sales') }})
