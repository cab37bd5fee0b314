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
