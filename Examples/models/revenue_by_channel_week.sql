-- energize: materialized=table
-- Weekly completed-sale revenue per channel, built on the fact table.
SELECT d.year, d.iso_week, f.channel,
       count(DISTINCT f.sale_id) AS orders,
       sum(f.net_amount)         AS net_revenue
FROM {{ ref('fact_sales') }} f
JOIN {{ ref('dim_date') }} d ON d.date_key = f.date_key
WHERE f.status = 'completed'
GROUP BY 1, 2, 3
