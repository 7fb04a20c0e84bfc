-- energize: materialized=view rejects_of=sales
-- Elements of sales.items that cannot be typed, with the reason; energize records them in _rejects.
SELECT {{ raw_column('sales', '_id') }}::text AS document_id,
  'sale ' || {{ raw_column('sales', 'sale_id') }}::text || ' ' || ('items.' || (i.line_number - 1) || ': ' || c.problem) AS reason,
  i.item AS document
FROM {{ raw('sales') }} r
CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof({{ raw_column('sales', 'items') }}::jsonb) = 'array' THEN {{ raw_column('sales', 'items') }}::jsonb ELSE '[]' END)
  WITH ORDINALITY AS i(item, line_number)
-- What is wrong with an element, NULL when nothing: the negation of stg_sale_items' condition, in
-- order (a CASE: the kind is tested before the cast). Read once per distinct element, as there.
CROSS JOIN LATERAL (
  SELECT CASE
    WHEN jsonb_typeof(it.j) <> 'object' THEN 'not a document'
    WHEN jsonb_typeof(it.j->'sku') IS DISTINCT FROM 'string' THEN 'sku is not text'
    WHEN jsonb_typeof(it.j->'quantity') IS DISTINCT FROM 'number' THEN 'quantity ' || coalesce(it.j->>'quantity', 'missing') || ' is not a number'
    WHEN jsonb_typeof(it.j->'unit_price') IS DISTINCT FROM 'number' THEN 'unit_price ' || coalesce(it.j->>'unit_price', 'missing') || ' is not a number'
    WHEN coalesce(jsonb_typeof(it.j->'discount'), 'null') NOT IN ('number', 'null')
      OR (it.j->>'quantity')::numeric <> trunc((it.j->>'quantity')::numeric)
      OR abs((it.j->>'quantity')::numeric) >= 2147483648
      OR round(abs((it.j->>'unit_price')::numeric), 2) >= 1000000000000
    THEN 'values cannot be cast (quantity whole, unit_price below 10^12 in cents, discount a number)' END AS problem
  FROM (SELECT i.item AS j OFFSET 0) it
  OFFSET 0) c
WHERE c.problem IS NOT NULL
