-- energize: materialized=scd2 unique_key=sku surrogate_key=product_sk tracked=name,chemistry,capacity_kwh,voltage,warranty_years,list_price,active carried=created_at,updated_at valid_from=created_at updated_at=updated_at hard_deletes=invalidate
-- Products, SCD type 2 on sku: a new version whenever a tracked attribute changes.
SELECT sku, name, chemistry, capacity_kwh, voltage, warranty_years, list_price, active, created_at, updated_at
FROM {{ ref('stg_products') }}
