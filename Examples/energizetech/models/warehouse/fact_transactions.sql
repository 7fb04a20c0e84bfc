-- energize: materialized=incremental unique_key=transaction_id
-- One row per transaction with the sale's customer version at occurred_at and the signed amount.
SELECT t.transaction_id, t.sale_id,
  coalesce(d.date_key, to_char((t.occurred_at AT TIME ZONE {{ var('time_zone') }})::date, 'YYYYMMDD')::integer) AS date_key, t.occurred_at,
  coalesce(c.customer_sk, -1) AS customer_sk, t.kind, t.method, t.installments,
  CASE WHEN t.kind = 'refund' THEN -t.amount ELSE t.amount END AS signed_amount
FROM {{ ref('stg_transactions') }} t LEFT JOIN {{ ref('stg_sales') }} s ON s.sale_id = t.sale_id
{{ scd2_join('dim_customer', 's.customer_id', 't.occurred_at', 'c') }}
-- The day's key from dim_date, formatted when dim_date lacks the day (as in fact_sales).
LEFT JOIN {{ ref('dim_date') }} d ON d.date = (t.occurred_at AT TIME ZONE {{ var('time_zone') }})::date
-- energize: changed_scopes
SELECT transaction_id FROM {{ ref('stg_transactions') }} WHERE _run_id > {{ last_run_id }}
UNION SELECT t.transaction_id FROM {{ ref('stg_transactions') }} t JOIN {{ ref('stg_sales') }} s ON s.sale_id = t.sale_id WHERE s._run_id > {{ last_run_id }}
UNION SELECT t.transaction_id FROM {{ ref('stg_transactions') }} t JOIN {{ ref('stg_sales') }} s ON s.sale_id = t.sale_id
  JOIN ({{ new_versions('dim_customer') }}) d ON d.customer_id = s.customer_id AND t.occurred_at >= d.since
UNION SELECT f.transaction_id FROM {{ this }} f WHERE f.customer_sk <> -1
  AND NOT EXISTS (SELECT 1 FROM {{ ref('stg_sales') }} s WHERE s.sale_id = f.sale_id)
UNION SELECT f.transaction_id FROM {{ this }} f WHERE NOT EXISTS (SELECT 1 FROM {{ ref('stg_transactions') }} t WHERE t.transaction_id = f.transaction_id)
