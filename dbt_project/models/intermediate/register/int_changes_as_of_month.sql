-- Each window month's register changes (and the month before, for month-on-month comparisons),
-- from the latest register snapshot at or before the month.
{{ as_of_snapshot(ref('stg_register__changes'), 'register', months_before=1) }}
