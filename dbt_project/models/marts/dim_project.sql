-- Every project any register snapshot has named, as its latest snapshot describes it (DESIGN §6). Built from
-- every snapshot, not from the run's window: a backfill of an old month never shrinks it, and a project closed
-- and dropped from a later register keeps its row for the months it was reported in.
with projects as (
    select * from {{ ref('stg_register__projects') }}
),

latest_description as (
    select
        *,
        row_number() over (partition by project_id order by snapshot_month desc) as recency
    from projects
),

unreadable_only as (
    -- a project whose every register row was quarantined is still a project the pack lists (not graded,
    -- DESIGN §4a): known by its id alone
    select
        quarantined.record_key as project_id,
        max(quarantined.snapshot_month) as register_snapshot_month
    from {{ ref('stg_steerpack__quarantine') }} as quarantined
    left join projects
        on quarantined.record_key = projects.project_id
    where quarantined.table_name = 'projects' and quarantined.record_key is not null and projects.project_id is null
    group by quarantined.record_key
)

select
    project_id,
    project_name,
    tier,
    sponsor,
    project_manager,
    phase,
    currency,
    plan_source,
    plan_key,
    baseline_start,
    baseline_finish,
    go_live_planned,
    go_live_actual,
    finance_codes,
    services,
    snapshot_month as register_snapshot_month
from latest_description
where recency = 1

union all

select
    project_id,
    project_id as project_name,
    cast(null as integer) as tier,
    cast(null as varchar) as sponsor,
    cast(null as varchar) as project_manager,
    cast(null as varchar) as phase,
    cast(null as varchar) as currency,
    cast(null as varchar) as plan_source,
    cast(null as varchar) as plan_key,
    cast(null as date) as baseline_start,
    cast(null as date) as baseline_finish,
    cast(null as date) as go_live_planned,
    cast(null as date) as go_live_actual,
    cast(null as varchar) as finance_codes,
    cast(null as varchar) as services,
    register_snapshot_month
from unreadable_only
