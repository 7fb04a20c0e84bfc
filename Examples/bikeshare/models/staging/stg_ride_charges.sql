-- energize: materialized=view
-- One row per element of rides.charges (charge_number 1-based in array order), amount in BRL as numeric(12,2).
-- The contract guarantees a non-empty array of documents with a text kind and a numeric amount.
SELECT r."ride_id"::text AS ride_id, c.charge_number::integer AS charge_number,
  trim(c.charge->>'kind') AS kind, (c.charge->>'amount')::numeric(12,2) AS amount
FROM {{ raw('rides') }} r
CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(r."charges") = 'array' THEN r."charges" ELSE '[]' END)
  WITH ORDINALITY AS c(charge, charge_number)
