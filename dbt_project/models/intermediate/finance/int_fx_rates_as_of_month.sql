-- Each window month's FX table: per (rate month, currency), the rate from the latest file at or before the month.
{{ as_of_latest_per_key(ref('stg_finance__fx_rates'), ['rate_month', 'currency'], 'finance') }}
