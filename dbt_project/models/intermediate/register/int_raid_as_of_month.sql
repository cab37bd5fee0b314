-- Each window month's register raid (and the month before, for month-on-month comparisons),
-- from the latest register snapshot at or before the month.
with as_of as (
    {{ as_of_snapshot(ref('stg_register__raid'), 'register', months_before=1) }}
)

select
    month,
    snapshot_month,
    raid_id,
    project_id,
    raid_type,
    raid_title,
    raid_owner,
    severity,
    raid_status,
    is_open,
    raised_date,
    last_updated,
    due_date,
    closed_date,
    source_file,
    source_row
from as_of
