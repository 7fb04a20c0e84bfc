-- Each month and chemistry with sales (the month in progress too): the regions' shares of the
-- nation's units add up to 1.
SELECT month, chemistry, sum(share_of_national_units) AS total_share
FROM {{ ref('mart_regional_demand') }}
GROUP BY month, chemistry
HAVING sum(units) > 0 AND abs(sum(share_of_national_units) - 1) > 0.000001
