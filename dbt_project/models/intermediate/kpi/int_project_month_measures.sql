{{
    config(
        materialized='table'
    )
}}

-- Materialized as a table, to cut the stack of views the models above it are planned through.
-- It holds the run's window months only (macros/months.sql), as a view would; the incremental marts keep
-- every month.
-- Every measure of a project's month in one row, before grading (DESIGN §5).
with projects as (
    select * from {{ ref('int_projects_as_of_month') }}
),

evm as (
    select * from {{ ref('int_project_evm') }}
),

earned_schedule as (
    select * from {{ ref('int_earned_schedule') }}
),

schedule_finish as (
    select month, project_id, max(finish_date) as plan_finish
    from {{ ref('int_tasks_weighted') }}
    group by month, project_id
),

register_finish as (
    -- each milestone where it stands: done when it was done, else where it is forecast, else its baseline
    select month, project_id, max(coalesce(actual_date, forecast_date, baseline_date)) as milestone_finish
    from {{ ref('int_milestones_as_of_month') }}
    group by month, project_id
),

milestones as (
    select
        month,
        project_id,
        count(*) filter (where is_due) as milestones_due,
        count(*) filter (where is_on_time) as milestones_on_time
    from {{ ref('int_milestones_assessed') }}
    group by month, project_id
),

benefits as (
    select
        month,
        project_id,
        count(*) as benefits,
        avg(readiness_score) as readiness_score,
        bool_and(checks_met = 5) as all_checks_met
    from {{ ref('int_benefit_checks') }}
    group by month, project_id
),

incidents as (
    select month, project_id, p1_count, p2_count, incidents_total, is_in_window
    from {{ ref('int_post_golive_incidents') }}
),

signals as (
    select * from {{ ref('int_project_signals') }}
),

joined as (
    select
        projects.project_id,
        projects.month,
        projects.as_of,
        projects.tier,
        projects.is_register_row_unreadable,
        projects.reported_status,
        projects.plan_source,
        projects.is_schedule_plan,
        projects.baseline_start,
        projects.baseline_finish,
        projects.go_live_planned,
        projects.go_live_actual,
        projects.go_live_date,
        coalesce(projects.as_of >= projects.baseline_start, true) as is_past_baseline_start,
        evm.bac, evm.pv, evm.ev, evm.ac, evm.sv, evm.cv, evm.spi, evm.cpi, evm.eac, evm.etc, evm.vac, evm.tcpi,
        evm.tcpi_eac, evm.eac_cpi_spi, evm.cost_overrun_pct, evm.cv_pct, evm.sv_pct, evm.percent_complete,
        evm.percent_spent,
        -- the project's-currency values behind the indices (fct_project_month stores them for next month's
        -- increments), carried here so the mart expands the EVM views once
        evm.planned_fraction, evm.bac_local, evm.ac_local, evm.eac_local, evm.ac_historical_base, evm.fx_rate_to_base,
        earned_schedule.pd_days,
        earned_schedule.es_days,
        earned_schedule.at_days,
        earned_schedule.sv_t_days,
        earned_schedule.spi_t,
        earned_schedule.tspi,
        earned_schedule.ieac_t_days,
        -- the finish the schedule performance to date points to, never before as_of for unfinished work
        -- (int_earned_schedule)
        earned_schedule.ieac_t_finish,
        case
            when projects.is_schedule_plan then schedule_finish.plan_finish
            else register_finish.milestone_finish
        end as forecast_finish,
        coalesce(milestones.milestones_due, 0) as milestones_due,
        coalesce(milestones.milestones_on_time, 0) as milestones_on_time,
        signals.scope_churn_pct,
        signals.cr_cycle_days_median,
        signals.cr_cycle_business_days_median,
        signals.raid_fresh_pct,
        benefits.readiness_score,
        coalesce(benefits.benefits, 0) > 0 and coalesce(benefits.all_checks_met, false) as benefits_ready,
        incidents.incidents_total as post_golive_incidents,
        incidents.p1_count as post_golive_p1_count,
        incidents.p2_count as post_golive_p2_count,
        -- incidents grade a project while its post-go-live window overlaps the month: int_post_golive_incidents'
        -- is_in_window, the one definition the pack's "(in window)" shows too
        coalesce(incidents.is_in_window, false) as is_in_incident_window
    from projects
    left join evm
        on evm.month = projects.month and evm.project_id = projects.project_id
    left join earned_schedule
        on earned_schedule.month = projects.month and earned_schedule.project_id = projects.project_id
    left join schedule_finish
        on schedule_finish.month = projects.month and schedule_finish.project_id = projects.project_id
    left join register_finish
        on register_finish.month = projects.month and register_finish.project_id = projects.project_id
    left join milestones
        on milestones.month = projects.month and milestones.project_id = projects.project_id
    left join benefits
        on benefits.month = projects.month and benefits.project_id = projects.project_id
    left join incidents
        on incidents.month = projects.month and incidents.project_id = projects.project_id
    left join signals
        on signals.month = projects.month and signals.project_id = projects.project_id
)

select
    *,
    {{ dbt.datediff('baseline_finish', 'forecast_finish', 'day') }} as slip_days,
    (
        -- double precision first: two day counts would divide as integers on PostgreSQL (DESIGN §9)
        cast({{ dbt.datediff('baseline_finish', 'forecast_finish', 'day') }} as double precision)
        / {{ days_between('baseline_start', 'baseline_finish') }}
    ) as schedule_slip_pct,
    cast(milestones_on_time as double precision) / nullif(milestones_due, 0) as milestone_on_time_rate,
    {{ dbt.datediff('as_of', 'go_live_date', 'day') }} as days_to_go_live
from joined
