-- Each window month's recipients, from the latest register snapshot at or before that month.
{{ as_of_snapshot(ref('stg_register__distribution'), 'register') }}
