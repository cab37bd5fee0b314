{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='month'
    )
}}

-- One row per project and month: the steering pack's main table (DESIGN §6). Re-running a window replaces
-- exactly the window's months; earlier months stay, so trends are queries.
with graded as (
    select * from {{ ref('int_project_rag') }}
),

projects as (
    select month, project_id, project_name, phase, snapshot_month
    from {{ ref('int_projects_as_of_month') }}
),

data_gaps as (
    select month, project_id, data_complete, data_gaps
    from {{ ref('int_project_data_gaps') }}
)

select
    graded.project_id,
    graded.month,
    graded.as_of,
    projects.project_name,
    graded.tier,
    projects.phase,
    graded.plan_source,
    graded.bac,
    graded.pv,
    graded.ev,
    graded.ac,
    graded.sv,
    graded.cv,
    graded.spi,
    graded.cpi,
    graded.eac,
    graded.etc,
    graded.vac,
    graded.tcpi,
    graded.es_days,
    graded.at_days,
    graded.sv_t_days,
    graded.spi_t,
    graded.baseline_start,
    graded.baseline_finish,
    graded.forecast_finish,
    graded.slip_days,
    graded.schedule_slip_pct,
    graded.cost_overrun_pct,
    graded.milestones_due,
    graded.milestones_on_time,
    graded.milestone_on_time_rate,
    graded.scope_churn_pct,
    graded.cr_cycle_days_median,
    graded.raid_fresh_pct,
    graded.readiness_score,
    graded.benefits_ready,
    graded.go_live_planned,
    graded.go_live_actual,
    graded.days_to_go_live,
    graded.post_golive_incidents,
    graded.post_golive_p1_count,
    graded.post_golive_p2_count,
    graded.reported_status,
    graded.rag_schedule,
    graded.rag_cost,
    graded.rag_benefits,
    graded.rag_incidents,
    graded.rag_overall,
    graded.watermelon,
    data_gaps.data_complete,
    data_gaps.data_gaps,
    projects.snapshot_month as register_snapshot_month
from graded
inner join projects
    on projects.month = graded.month
    and projects.project_id = graded.project_id
inner join data_gaps
    on data_gaps.month = graded.month
    and data_gaps.project_id = graded.project_id
