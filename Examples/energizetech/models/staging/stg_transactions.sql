-- energize: materialized=view
-- Transactions typed and trimmed, amount as numeric(14,2), with the run that loaded each row.
SELECT {{ raw_column('transactions', 'transaction_id') }}::text AS "transaction_id", {{ raw_column('transactions', 'sale_id') }}::text AS "sale_id",
  trim({{ raw_column('transactions', 'kind') }}::text) AS "kind", trim({{ raw_column('transactions', 'method') }}::text) AS "method",
  {{ raw_column('transactions', 'amount') }}::numeric(14,2) AS "amount", {{ raw_column('transactions', 'installments') }}::integer AS "installments",
  {{ raw_column('transactions', 'occurred_at') }}::timestamptz AS "occurred_at", {{ raw_column('transactions', 'updated_at') }}::timestamptz AS "updated_at",
  r."_run_id"
FROM {{ raw('transactions') }} r
