-- The snapshots (a month's drop of one source group) that their month's quality gate blocked. A blocked month
-- publishes nothing, and what it loaded never serves a later month either (DESIGN §4a): a later month without
-- that source falls back to the latest earlier snapshot of a month the source did not block. Only the month's
-- own run (its draft) reads its rows.
with findings as (
    select
        snapshot_month,
        table_name
    from {{ ref('stg_steerpack__quality_findings') }}
    where severity = 'error'
),

grouped as (
    select
        snapshot_month,
        case
            when table_name in ('work_items', 'schedule_tasks') then 'plans'
            when table_name in ('spend', 'fx_rates') then 'finance'
            when table_name = 'incidents' then 'incidents'
            when table_name in (
                    'projects', 'milestones', 'benefits', 'raid', 'changes', 'distribution',
                    'decisions', 'readiness', 'uat', 'cutovers', 'surveys', 'evidence'
                )
                then 'register'
        end as source_group
    from findings
)

select distinct
    snapshot_month,
    source_group
from grouped
where source_group is not null
