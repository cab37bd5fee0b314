-- pagerduty incidents, one row per incident and export month in its latest state within that export.
{{ stg_incidents('pagerduty') }}
