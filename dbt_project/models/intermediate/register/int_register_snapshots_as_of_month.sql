-- The register snapshot serving each month (the window and the month before it, for month-on-month comparisons):
-- the one its projects come from (as_of_snapshot over stg_register__projects: the latest register at or before
-- the month, never one a blocked month loaded). The optional sheets' as-of models (Decisions .. Evidence) read
-- their rows from this snapshot, so a sheet belongs to its register and the rule that picks it lives here once.
with served_projects as (
    {{ as_of_snapshot(ref('stg_register__projects'), 'register', months_before=1) }}
),

register_snapshots as (
    -- one row per month: every project of a month comes from the same register snapshot
    select distinct
        month,
        snapshot_month
    from served_projects
)

select
    month,
    snapshot_month
from register_snapshots
