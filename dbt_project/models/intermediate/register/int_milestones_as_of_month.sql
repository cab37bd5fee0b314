-- Each window month's register milestones (and the month before, for month-on-month comparisons),
-- from the latest register snapshot at or before the month.
with as_of as (
    {{ as_of_snapshot(ref('stg_register__milestones'), 'register', months_before=1) }}
)

select
    month,
    snapshot_month,
    project_id,
    milestone_name,
    baseline_date,
    forecast_date,
    actual_date,
    milestone_vendor,
    source_file,
    source_row
from as_of
