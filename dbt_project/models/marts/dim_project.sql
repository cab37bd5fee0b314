-- The projects as the newest register at or before the window's last month describes them.
with projects as (
    select * from {{ ref('int_projects_as_of_month') }}
),

latest_month as (
    select max(month) as month
    from projects
)

select
    projects.project_id,
    projects.project_name,
    projects.tier,
    projects.sponsor,
    projects.project_manager,
    projects.phase,
    projects.currency,
    projects.plan_source,
    projects.plan_key,
    projects.baseline_start,
    projects.baseline_finish,
    projects.go_live_planned,
    projects.go_live_actual,
    projects.finance_codes,
    projects.services,
    projects.snapshot_month as register_snapshot_month
from projects
inner join latest_month
    on projects.month = latest_month.month
