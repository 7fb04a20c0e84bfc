-- A data test of the project's own: the rows it returns are failures.
-- A finished ride cannot end before it started, and only an in-progress ride may lack its end.
SELECT ride_id, status, started_at, ended_at FROM {{ ref('fact_rides') }}
WHERE ended_at < started_at OR (ended_at IS NULL) <> (status = 'in_progress')
