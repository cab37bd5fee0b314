{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='month'
    )
}}

-- The KPI scorecard (DESIGN §5a): one row per month, KPI and project, and a portfolio row (project_id null), with
-- the value, the targets of the project's tier, the status and the previous month's value. The KPIs of §5 are read
-- from the project marts (one definition each); the framework's others come from the int_kpi_* models, which only
-- measure. A KPI without a value is Not tracked, with the reason: nothing to measure this month, or the inputs
-- that would turn it on. An incremental run also scores the stored month after the window again (audit N15:
-- re-running M refreshes M+1's comparisons): its previous values, and the KPIs read from the project marts,
-- which refreshed that month's month-on-month columns; its other KPIs stay as stored.
{% set kpi_models = [
    'int_kpi_schedule', 'int_kpi_raid', 'int_kpi_decisions', 'int_kpi_release', 'int_kpi_stakeholders',
    'int_kpi_compliance',
] %}
{% set last_month = next_month(window_end()) if is_incremental() else window_end() %}
{% set mart_kpis = [
    'milestone_on_time_rate', 'schedule_variance', 'cost_variance', 'scope_churn', 'cr_cycle_time',
    'forecast_accuracy_cost', 'benefits_readiness', 'forecast_accuracy_date', 'raid_freshness', 'defect_leakage',
    'post_golive_incident_rate',
] %}
{% set measure_columns = [
    'month', 'project_id', 'kpi', 'kpi_value', 'kpi_numerator', 'kpi_denominator', 'secondary_value',
    'not_tracked_reason',
] %}

with projects as (
    select month, as_of, project_id, tier
    from {{ ref('int_projects_as_of_month') }}
    where month between {{ window_start() }} and {{ window_end() }}
),

targets as (
    {{ kpi_target_rows() }}
),

kpi_order as (
    {{ kpi_order_rows() }}
),

project_months as (
    select
        month,
        project_id,
        bac,
        eac,
        milestones_due,
        milestones_on_time,
        milestone_on_time_rate,
        schedule_slip_pct,
        cost_overrun_pct,
        scope_churn_pct,
        cr_cycle_business_days_median,
        eac_drift_pct,
        readiness_score,
        benefits_ready
    from {{ ref('fct_project_month') }}
    where month between {{ window_start() }} and {{ last_month }}
),

milestone_forecasts as (
    -- milestones completed in the month that had a forecast the month before (DESIGN §5 forecast accuracy)
    select
        month,
        project_id,
        sum(case when is_forecast_accurate is not null then 1 else 0 end) as forecasts_completed,
        sum(case when is_forecast_accurate then 1 else 0 end) as forecasts_accurate
    from {{ ref('fct_milestone_month') }}
    where month between {{ window_start() }} and {{ last_month }}
    group by month, project_id
),

raid_open_items as (
    -- raid_fresh_pct's counts (int_project_signals), so the portfolio row can pool them
    select
        month,
        project_id,
        sum(case when is_open then 1 else 0 end) as open_items,
        sum(case when is_open and days_since_update <= {{ var('raid_fresh_days') }} then 1 else 0 end) as fresh_items
    from {{ ref('fct_raid_month') }}
    where month between {{ window_start() }} and {{ last_month }}
    group by month, project_id
),

change_requests as (
    -- the projects with change requests, so an undecided month says so rather than asking for the sheet
    select month, project_id, count(*) as change_requests
    from {{ ref('fct_change_month') }}
    where month between {{ window_start() }} and {{ last_month }}
    group by month, project_id
),

post_golive as (
    select month, project_id, incidents_per_week, baseline_per_week, defect_leakage_pct
    from {{ ref('fct_post_golive_incidents') }}
    where month between {{ window_start() }} and {{ last_month }}
        and is_in_window
),

project_measures as (
    -- the KPIs of DESIGN §5, per project, as the project marts publish them
    select
        {{ kpi_measure(
            'milestone_on_time_rate', 'milestone_on_time_rate', 'milestones_on_time', 'milestones_due',
            reason="case when milestones_due = 0 then 'no milestone is due yet' end"
        ) }}
    from project_months
    union all
    select
        {{ kpi_measure(
            'schedule_variance', 'schedule_slip_pct',
            reason="case when schedule_slip_pct is null then 'no baseline and forecast finish to compare' end"
        ) }}
    from project_months
    union all
    select
        {{ kpi_measure(
            'cost_variance', 'cost_overrun_pct',
            reason="case when cost_overrun_pct is null then 'no BAC and EAC to compare' end"
        ) }}
    from project_months
    union all
    select {{ kpi_measure('scope_churn', 'scope_churn_pct') }}
    from project_months
    union all
    select
        {{ kpi_measure(
            'cr_cycle_time', 'project_months.cr_cycle_business_days_median',
            reason="case when project_months.cr_cycle_business_days_median is null
                and change_requests.change_requests > 0 then 'no change request was decided in the month' end",
            project_id='project_months.project_id', month='project_months.month'
        ) }}
    from project_months
    left join change_requests
        on change_requests.month = project_months.month
        and change_requests.project_id = project_months.project_id
    union all
    select {{ kpi_measure('forecast_accuracy_cost', 'eac_drift_pct') }}
    from project_months
    union all
    select
        {{ kpi_measure(
            'benefits_readiness', 'readiness_score', secondary='case when benefits_ready then 1.0 else 0.0 end'
        ) }}
    from project_months
    where readiness_score is not null
    union all
    select
        {{ kpi_measure(
            'forecast_accuracy_date',
            'cast(forecasts_accurate as double precision) / nullif(forecasts_completed, 0)',
            'forecasts_accurate', 'forecasts_completed',
            reason="case when forecasts_completed = 0
                then 'no milestone with a forecast the month before was completed in the month' end"
        ) }}
    from milestone_forecasts
    union all
    select
        {{ kpi_measure(
            'raid_freshness', 'cast(fresh_items as double precision) / nullif(open_items, 0)',
            'fresh_items', 'open_items', reason="case when open_items = 0 then 'no RAID item is open' end"
        ) }}
    from raid_open_items
    union all
    select
        {{ kpi_measure(
            'defect_leakage', 'defect_leakage_pct',
            reason="case when defect_leakage_pct is null then 'no Bug item in the plan to compare' end"
        ) }}
    from post_golive
    union all
    -- no incident since go-live is the rate at its best, whatever the baseline
    select
        {{ kpi_measure(
            'post_golive_incident_rate',
            'case when incidents_per_week = 0 then 0.0 else incidents_per_week / nullif(baseline_per_week, 0) end',
            secondary='incidents_per_week',
            reason="case when incidents_per_week > 0 and coalesce(baseline_per_week, 0) = 0
                then 'no incident before go-live to set the baseline' end"
        ) }}
    from post_golive
),

portfolio_measures as (
    -- the same KPIs for the portfolio: shares pooled over the projects' counts, variances weighted by BAC,
    -- medians and scores over the projects' values
    select
        {{ kpi_measure(
            'milestone_on_time_rate',
            'cast(sum(milestones_on_time) as double precision) / nullif(sum(milestones_due), 0)',
            'sum(milestones_on_time)', 'sum(milestones_due)', project_id=none
        ) }}
    from project_months
    group by month
    union all
    select
        {{ kpi_measure(
            'schedule_variance',
            'sum(schedule_slip_pct * bac) / nullif(sum(case when schedule_slip_pct is not null then bac end), 0)',
            project_id=none
        ) }}
    from project_months
    group by month
    union all
    select
        {{ kpi_measure(
            'cost_variance',
            '(sum(case when cost_overrun_pct is not null then eac end)
                - sum(case when cost_overrun_pct is not null then bac end))
            / nullif(sum(case when cost_overrun_pct is not null then bac end), 0)',
            project_id=none
        ) }}
    from project_months
    group by month
    union all
    select
        {{ kpi_measure(
            'scope_churn',
            'sum(scope_churn_pct * bac) / nullif(sum(case when scope_churn_pct is not null then bac end), 0)',
            project_id=none
        ) }}
    from project_months
    group by month
    union all
    select {{ kpi_measure('cr_cycle_time', median('cr_cycle_business_days_median'), project_id=none) }}
    from project_months
    group by month
    union all
    select {{ kpi_measure('forecast_accuracy_cost', median('eac_drift_pct'), project_id=none) }}
    from project_months
    group by month
    union all
    select
        {{ kpi_measure(
            'benefits_readiness', 'avg(readiness_score)',
            secondary='avg(case when benefits_ready then 1.0 else 0.0 end)', project_id=none
        ) }}
    from project_months
    where readiness_score is not null
    group by month
    union all
    select
        {{ kpi_measure(
            'forecast_accuracy_date',
            'cast(sum(forecasts_accurate) as double precision) / nullif(sum(forecasts_completed), 0)',
            'sum(forecasts_accurate)', 'sum(forecasts_completed)', project_id=none
        ) }}
    from milestone_forecasts
    group by month
    union all
    select
        {{ kpi_measure(
            'raid_freshness', 'cast(sum(fresh_items) as double precision) / nullif(sum(open_items), 0)',
            'sum(fresh_items)', 'sum(open_items)', project_id=none
        ) }}
    from raid_open_items
    group by month
    union all
    select {{ kpi_measure('defect_leakage', median('defect_leakage_pct'), project_id=none) }}
    from post_golive
    group by month
    union all
    select
        {{ kpi_measure(
            'post_golive_incident_rate',
            'case when sum(incidents_per_week) = 0 then 0.0
                else sum(incidents_per_week) / nullif(sum(baseline_per_week), 0) end',
            secondary='sum(incidents_per_week)', project_id=none
        ) }}
    from post_golive
    group by month
),

{% if is_incremental() %}
previous_published as (
    select month, project_id, kpi, value
    from {{ this }}
    where month = {{ previous_month(window_start()) }}
),

next_published as (
    -- the stored month after the window: scored again below, so the KPIs read from the project marts (which
    -- this run refreshed for it) and its previous values are over the window's last month
    select *
    from {{ this }}
    where month = {{ next_month(window_end()) }}
),

next_kept_measures as (
    -- its other KPIs measure that month's own inputs, which this run did not read: kept as stored
    select
        month, project_id, kpi, value as kpi_value, numerator as kpi_numerator, denominator as kpi_denominator,
        secondary_value, not_tracked_reason
    from next_published
    where kpi not in ('{{ mart_kpis | join("', '") }}')
),
{% endif %}

measured as (
    select {{ measure_columns | join(', ') }} from project_measures
    union all
    select {{ measure_columns | join(', ') }} from portfolio_measures
    {% for kpi_model in kpi_models %}
        union all
        select {{ measure_columns | join(', ') }} from {{ ref(kpi_model) }}
    {% endfor %}
    {% if is_incremental() %}
        union all
        select {{ measure_columns | join(', ') }} from next_kept_measures
    {% endif %}
),

scope as (
    -- every KPI for every project of the month at its tier's targets, and the portfolio row at its own
    select month, as_of, project_id, tier, cast(tier as varchar(16)) as target_tier
    from projects
    union all
    select
        month,
        max(as_of) as as_of,
        cast(null as varchar) as project_id,
        cast(null as integer) as tier,
        'portfolio' as target_tier
    from projects
    group by month
    {% if is_incremental() %}
        union all
        select distinct
            month,
            as_of,
            project_id,
            tier,
            case when project_id is null then 'portfolio' else cast(tier as varchar(16)) end as target_tier
        from next_published
    {% endif %}
),

scored as (
    select
        scope.month,
        scope.as_of,
        scope.project_id,
        scope.tier,
        targets.kpi,
        kpi_order.kpi_order,
        targets.kpi_label,
        targets.better,
        targets.kpi_unit,
        -- `value` is the contract's name (DESIGN §6)
        measured.kpi_value as value,  -- noqa: RF04
        measured.kpi_numerator as numerator,
        measured.kpi_denominator as denominator,
        measured.secondary_value,
        targets.secondary_label,
        targets.secondary_unit,
        targets.target_met,
        targets.target_near,
        {{ kpi_status('measured.kpi_value', 'targets.better', 'targets.target_met', 'targets.target_near') }}
            as status,
        case
            when measured.kpi_value is null
                then coalesce(measured.not_tracked_reason, 'needs ' || targets.kpi_inputs)
        end as not_tracked_reason
    from scope
    inner join targets
        on targets.target_tier = scope.target_tier
    inner join kpi_order
        on kpi_order.kpi = targets.kpi
    left join measured
        on measured.month = scope.month
        and measured.kpi = targets.kpi
        and coalesce(measured.project_id, '') = coalesce(scope.project_id, '')
),

projects_meeting as (
    -- "how many projects met it": the portfolio row's counts over the project rows
    select
        month,
        kpi,
        cast(sum(case when status = 'Met' then 1 else 0 end) as integer) as projects_met,
        cast(sum(case when status <> 'Not tracked' then 1 else 0 end) as integer) as projects_tracked
    from scored
    where project_id is not null
    group by month, kpi
),

values_by_month as (
    select month, project_id, kpi, value from scored
    {% if is_incremental() %}
    union all
    select month, project_id, kpi, value from previous_published
    {% endif %}
),

previous_values as (
    select
        month,
        project_id,
        kpi,
        case
            when lag(month) over by_kpi = {{ previous_month('month') }} then lag(value) over by_kpi
        end as previous_value
    from values_by_month
    window by_kpi as (partition by kpi, project_id order by month)
),

published as (
    select
        scored.month,
        scored.as_of,
        scored.project_id,
        scored.tier,
        scored.kpi,
        scored.kpi_order,
        scored.kpi_label,
        scored.better,
        scored.kpi_unit,
        scored.value,
        scored.numerator,
        scored.denominator,
        scored.secondary_value,
        scored.secondary_label,
        scored.secondary_unit,
        scored.target_met,
        scored.target_near,
        scored.status,
        scored.not_tracked_reason,
        projects_meeting.projects_met,
        projects_meeting.projects_tracked
    from scored
    left join projects_meeting
        on projects_meeting.month = scored.month
        and projects_meeting.kpi = scored.kpi
        and scored.project_id is null
)

select
    published.month,
    published.as_of,
    published.project_id,
    published.tier,
    published.kpi,
    published.kpi_order,
    published.kpi_label,
    published.better,
    published.kpi_unit,
    published.value,
    published.numerator,
    published.denominator,
    published.secondary_value,
    published.secondary_label,
    published.secondary_unit,
    published.target_met,
    published.target_near,
    published.status,
    published.not_tracked_reason,
    published.projects_met,
    published.projects_tracked,
    previous_values.previous_value
from published
left join previous_values
    on previous_values.month = published.month
    and previous_values.kpi = published.kpi
    and coalesce(previous_values.project_id, '') = coalesce(published.project_id, '')
