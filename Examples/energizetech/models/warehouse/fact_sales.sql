-- energize: materialized=incremental unique_key=sale_id,line_number scope=sale_id
-- One row per sale line with its dimension keys (versions valid at sold_at) and amounts; rebuilt per sale.
SELECT l.*, l.gross_amount - l.discount_amount AS net_amount
FROM (
  SELECT i.sale_id, i.line_number,
    coalesce(d.date_key, to_char((i.sold_at AT TIME ZONE {{ var('time_zone') }})::date, 'YYYYMMDD')::integer) AS date_key, i.sold_at,
    coalesce(c.customer_sk, -1) AS customer_sk, coalesce(p.product_sk, -1) AS product_sk,
    coalesce(st.store_sk, -1) AS store_sk, i.sku,
    i.channel, i.status, i.quantity, i.unit_price, i.discount,
    i.quantity * i.unit_price AS gross_amount,
    round(i.quantity * i.unit_price * i.discount, 2) AS discount_amount
  FROM {{ ref('stg_sale_items') }} i
  {{ scd2_join('dim_customer', 'i.customer_id', 'i.sold_at', 'c') }}
  {{ scd2_join('dim_product', 'i.sku', 'i.sold_at', 'p') }}
  LEFT JOIN {{ ref('dim_store') }} st ON st.store_id = i.store_id
  -- The day's key looked up in dim_date (built first, from every sale's day): a hash join on the
  -- day instead of formatting each line's; formatted when dim_date lacks the day (a --select
  -- that left dim_date out), so the key is never NULL for a sale with a day.
  LEFT JOIN {{ ref('dim_date') }} d ON d.date = (i.sold_at AT TIME ZONE {{ var('time_zone') }})::date
  WHERE {{ in_scope('i.sale_id') }}
  -- OFFSET 0 keeps the subquery whole: the staging columns are computed once per line, not once
  -- per use in the amounts.
  OFFSET 0) l
-- energize: changed_scopes
SELECT sale_id FROM {{ ref('stg_sales') }} WHERE _run_id > {{ last_run_id }}
UNION SELECT s.sale_id FROM {{ ref('stg_sales') }} s JOIN ({{ new_versions('dim_customer') }}) d
  ON d.customer_id = s.customer_id AND coalesce(s.sold_at, '-infinity') >= d.since
-- A sale not loaded since has in this table exactly the lines of stg_sale_items, with their sku and
-- sold_at: find those of a product's new versions here (a plain scan, not every sale's items exploded).
UNION SELECT f.sale_id FROM ({{ new_versions('dim_product') }}) d JOIN {{ this }} f
  ON f.sku = d.sku AND coalesce(f.sold_at, '-infinity') >= d.since
UNION SELECT s.sale_id FROM {{ ref('stg_sales') }} s JOIN {{ ref('dim_store') }} d ON d.store_id = s.store_id WHERE d._changed_run > {{ last_run_id }}
UNION SELECT f.sale_id FROM {{ this }} f WHERE NOT EXISTS (SELECT 1 FROM {{ ref('stg_sales') }} s WHERE s.sale_id = f.sale_id)
