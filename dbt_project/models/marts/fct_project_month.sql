{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='month'
    )
}}

-- One row per project and month: the steering pack's main table (DESIGN §6). Re-running a window replaces
-- exactly the window's months, and refreshes the stored month after it, whose increments read the window's last
-- month (audit N15); earlier months stay, so trends are queries.
with graded as (
    select * from {{ ref('int_project_rag') }}
),

local_values as (
    -- the project's-currency values behind the indices, stored so next month's increments can read them (carried
    -- through int_project_rag: a second ref of int_project_evm made DuckDB plan the EVM views twice)
    select month, project_id, planned_fraction, bac_local, ac_local, eac_local, ac_historical_base, fx_rate_to_base
    from graded
),

projects as (
    select
        month,
        project_id,
        project_name,
        phase,
        snapshot_month,
        is_register_row_unreadable,
        register_row_problem,
        status_comment
    from {{ ref('int_projects_as_of_month') }}
),

data_gaps as (
    select month, project_id, data_complete, data_gaps
    from {{ ref('int_project_data_gaps') }}
),

{% if is_incremental() %}
-- the month before the window, as published, for this month's increments
previous_published as (
    select project_id, month, percent_complete, planned_fraction, bac_local, ac_local, eac_local
    from {{ this }}
    where month = {{ previous_month(window_start()) }}
),

-- the month after the window, as published: its increments are over the window's last month, so this run
-- re-emits it with them recomputed and the rest as stored (DESIGN §2: re-running M refreshes M+1's increments)
next_published as (
    select *
    from {{ this }}
    where month = {{ next_month(window_end()) }}
),
{% endif %}

cumulative as (
    select
        graded.project_id,
        graded.month,
        graded.percent_complete,
        local_values.planned_fraction,
        local_values.bac_local,
        local_values.ac_local,
        local_values.eac_local
    from graded
    left join local_values
        on local_values.month = graded.month
        and local_values.project_id = graded.project_id
    {% if is_incremental() %}
    union all
    select project_id, month, percent_complete, planned_fraction, bac_local, ac_local, eac_local
    from previous_published
    union all
    select project_id, month, percent_complete, planned_fraction, bac_local, ac_local, eac_local
    from next_published
    {% endif %}
),

lagged as (
    select
        project_id,
        month,
        lag(month) over by_project = {{ previous_month('month') }} as has_previous_month,
        bac_local,
        eac_local,
        percent_complete,
        lag(percent_complete) over by_project as lagged_percent_complete,
        percent_complete - lag(percent_complete) over by_project as percent_complete_change,
        planned_fraction - lag(planned_fraction) over by_project as planned_fraction_change,
        ac_local - lag(ac_local) over by_project as ac_local_change,
        lag(bac_local) over by_project as lagged_bac_local,
        lag(eac_local) over by_project as lagged_eac_local
    from cumulative
    window by_project as (partition by project_id order by month)
),

increments as (
    -- this month's work at one budget and one rate (DESIGN §5): increments of the earned and planned fractions,
    -- and of the spend in the project's currency, over the previous month's row (none when it is missing)
    select
        project_id,
        month,
        bac_local,
        eac_local,
        -- the month's earned value in the project's currency, both ends at this month's BAC
        case
            when has_previous_month then bac_local * percent_complete - bac_local * lagged_percent_complete
        end as ev_local_month,
        case when has_previous_month then percent_complete_change end as percent_complete_month,
        case when has_previous_month then planned_fraction_change end as planned_fraction_month,
        case when has_previous_month then ac_local_change end as ac_local_month,
        case when has_previous_month then lagged_eac_local end as previous_eac_local,
        case
            when has_previous_month
                then coalesce(bac_local <> lagged_bac_local, bac_local is not null or lagged_bac_local is not null)
        end as rebaselined
    from lagged
),

month_indices as (
    -- the columns that read the previous month
    select
        project_id,
        month,
        -- bac_local x the earned fraction's increment over the spend's, both in the project's currency. A month
        -- with no spend or nothing planned has none: an increment under half a cent (or a millionth of the plan)
        -- is what summing the same lines twice leaves in floating point, not spend (a finished project's
        -- "CPI this month" was 0.00 or 5.9e14 on such residues)
        case
            when {{ round_to('ac_local_month', 2) }} > 0 then ev_local_month / ac_local_month
        end as cpi_month,
        case
            when {{ round_to('planned_fraction_month', 6) }} > 0 then percent_complete_month / planned_fraction_month
        end as spi_month,
        abs(eac_local - previous_eac_local) / nullif(bac_local, 0) as eac_drift_pct,
        rebaselined
    from increments
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
    local_values.ac_historical_base,
    graded.sv,
    graded.cv,
    graded.spi,
    graded.cpi,
    graded.eac,
    graded.etc,
    graded.vac,
    graded.tcpi,
    graded.tcpi_eac,
    graded.eac_cpi_spi,
    graded.cv_pct,
    graded.sv_pct,
    graded.percent_complete,
    graded.percent_spent,
    month_indices.cpi_month,
    month_indices.spi_month,
    month_indices.eac_drift_pct,
    month_indices.rebaselined,
    local_values.planned_fraction,
    local_values.bac_local,
    local_values.ac_local,
    local_values.eac_local,
    local_values.fx_rate_to_base,
    graded.pd_days,
    graded.es_days,
    graded.at_days,
    graded.sv_t_days,
    graded.spi_t,
    graded.tspi,
    graded.ieac_t_days,
    graded.ieac_t_finish,
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
    graded.cr_cycle_business_days_median,
    graded.raid_fresh_pct,
    graded.readiness_score,
    graded.benefits_ready,
    graded.go_live_planned,
    graded.go_live_actual,
    graded.go_live_date,
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
    graded.unverified_green,
    data_gaps.data_complete,
    data_gaps.data_gaps,
    projects.snapshot_month as register_snapshot_month,
    case
        when projects.is_register_row_unreadable
            then 'not graded: register row unreadable (' || projects.register_row_problem || ')'
    end as not_graded_reason,
    -- the PM's own words, shown beside the status narrative (DESIGN §5c), never merged into it
    projects.status_comment
from graded
inner join projects
    on projects.month = graded.month
    and projects.project_id = graded.project_id
inner join data_gaps
    on data_gaps.month = graded.month
    and data_gaps.project_id = graded.project_id
inner join month_indices
    on month_indices.month = graded.month
    and month_indices.project_id = graded.project_id
left join local_values
    on local_values.month = graded.month
    and local_values.project_id = graded.project_id
{% if is_incremental() %}
union all by name
-- the month after the window, unchanged but for its increments over the window's new last month
select
    next_published.* replace (
        month_indices.cpi_month as cpi_month,
        month_indices.spi_month as spi_month,
        month_indices.eac_drift_pct as eac_drift_pct,
        month_indices.rebaselined as rebaselined
    )
from next_published
inner join month_indices
    on month_indices.month = next_published.month
    and month_indices.project_id = next_published.project_id
{% endif %}
