-- Each window month's projects, as the latest register snapshot at or before that month lists them.
{{ as_of_snapshot(ref('stg_register__projects'), 'register') }}
