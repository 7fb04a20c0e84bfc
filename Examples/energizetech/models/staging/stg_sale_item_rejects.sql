-- energize: materialized=view rejects_of=sales
-- Elements of sales.items that cannot be typed, with the reason; energize records them in _rejects.
SELECT {{ raw_column('sales', '_id') }}::text AS document_id,
  'sale ' || {{ raw_column('sales', 'sale_id') }}::text || ' ' || ('items.' || (i.line_number - 1) || ': ' || CASE
    WHEN jsonb_typeof(i.item) <> 'object' THEN 'not a document'
    WHEN jsonb_typeof(i.item->'sku') IS DISTINCT FROM 'string' THEN 'sku is not text'
    WHEN jsonb_typeof(i.item->'quantity') IS DISTINCT FROM 'number' THEN 'quantity ' || coalesce(i.item->>'quantity', 'missing') || ' is not a number'
    WHEN jsonb_typeof(i.item->'unit_price') IS DISTINCT FROM 'number' THEN 'unit_price ' || coalesce(i.item->>'unit_price', 'missing') || ' is not a number'
    ELSE 'values cannot be cast (quantity whole, unit_price below 10^12 in cents, discount a number)' END) AS reason,
  i.item AS document
FROM {{ raw('sales') }} r
CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof({{ raw_column('sales', 'items') }}::jsonb) = 'array' THEN {{ raw_column('sales', 'items') }}::jsonb ELSE '[]' END)
  WITH ORDINALITY AS i(item, line_number)
-- The negation of stg_sale_items' condition (CASE, not AND: the kind is tested before the cast).
WHERE NOT (CASE WHEN jsonb_typeof(i.item) = 'object' AND jsonb_typeof(i.item->'sku') = 'string'
       AND jsonb_typeof(i.item->'quantity') = 'number' AND jsonb_typeof(i.item->'unit_price') = 'number'
       AND coalesce(jsonb_typeof(i.item->'discount'), 'null') IN ('number', 'null')
     THEN (i.item->>'quantity')::numeric = trunc((i.item->>'quantity')::numeric)
       AND abs((i.item->>'quantity')::numeric) < 2147483648
       AND round(abs((i.item->>'unit_price')::numeric), 2) < 1000000000000
     ELSE false END)
