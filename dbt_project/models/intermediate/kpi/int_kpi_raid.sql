-- The RAID KPIs of DESIGN §5a, risk_burn_down, issue_resolution_sla and dependency_confirmation, per window month and
-- project and for the portfolio (the KPI intermediate contract: fct_kpi_scorecard_month joins the targets and grades
-- them). All three read the RAID sheet of the register serving the month, and nothing else: the burn-down rebuilds
-- three months ago from this register's own dates, so a register that was not loaded back then still compares.
-- Severities are compared without case or surrounding blanks (the gate warns of one outside the four).
with projects as (
    select
        month,
        project_id,
        as_of
    from {{ ref('int_projects_as_of_month') }}
),

raid as (
    select
        month,
        project_id,
        raid_type,
        raid_owner,
        severity,
        is_open,
        raised_date,
        last_updated,
        due_date,
        closed_date
    from {{ ref('int_raid_as_of_month') }}
),

items as (
    -- the inner join keeps window months only (int_raid_as_of_month also holds the month before the window)
    select
        projects.month,
        projects.project_id,
        projects.as_of,
        cast({{ dbt.dateadd('month', -3, 'projects.as_of') }} as date) as compared_on,
        cast({{ dbt.dateadd('day', var('dependency_horizon_days'), 'projects.as_of') }} as date) as horizon_end,
        raid.raid_type,
        raid.raid_owner,
        lower(trim(raid.severity)) as severity_key,
        raid.is_open,
        raid.raised_date,
        raid.due_date,
        -- the day the item closed: the register's closed_date, else (a register without the column) the last update
        -- of an item no longer open; an open item has not closed, whatever its closed_date says
        case
            when not raid.is_open then coalesce(raid.closed_date, raid.last_updated)
        end as closed_on
    from projects
    inner join raid
        on projects.month = raid.month
        and projects.project_id = raid.project_id
),

-- risk_burn_down -------------------------------------------------------------------------------------------------

risks as (
    select
        month,
        project_id,
        case severity_key
            when 'critical' then 4
            when 'high' then 3
            when 'medium' then 2
            when 'low' then 1
            else 0
        end as severity_weight,
        is_open as is_open_now,
        -- open three months ago: raised by then and not closed by then (an item closed that very day was not);
        -- a risk without a raised date, or closed on an unknown day, cannot be placed then and is not counted then
        coalesce(raised_date <= compared_on and (is_open or closed_on > compared_on), false) as was_open_then
    from items
    where raid_type = 'Risk'
),

risk_project_exposure as (
    select
        month,
        project_id,
        sum(case when is_open_now then severity_weight else 0 end) as exposure_now,
        sum(case when was_open_then then severity_weight else 0 end) as exposure_then
    from risks
    group by month, project_id
),

risk_portfolio_exposure as (
    -- Σ exposure now / Σ exposure then over every project with risks in the register
    select
        month,
        cast(null as varchar) as project_id,
        sum(exposure_now) as exposure_now,
        sum(exposure_then) as exposure_then
    from risk_project_exposure
    group by month
),

risk_exposure as (
    select * from risk_project_exposure
    union all
    select * from risk_portfolio_exposure
),

risk_burn_down as (
    select
        month,
        project_id,
        'risk_burn_down' as kpi,
        cast(exposure_now as double precision) / nullif(exposure_then, 0) as kpi_value,
        cast(null as double precision) as kpi_numerator,
        cast(null as double precision) as kpi_denominator,
        -- the exposure now, shown even when there is nothing to compare it with
        cast(exposure_now as double precision) as secondary_value,
        case when exposure_then = 0 then 'no open risk three months ago to compare' end as not_tracked_reason
    from risk_exposure
),

-- issue_resolution_sla -------------------------------------------------------------------------------------------

issues as (
    select
        month,
        project_id,
        coalesce(closed_on >= month and closed_on <= as_of, false) as is_closed_in_month,
        {{ dbt.datediff('raised_date', 'closed_on', 'day') }} as days_to_close,
        -- the severity's SLA in elapsed days (var issue_sla_days); a severity the var does not name has none, so
        -- its issue cannot be shown within an SLA and counts outside it (as does one without a raised date)
        case
            -- no severity, no SLA (this first branch also keeps the case valid when the var names none)
            when severity_key is null then cast(null as integer)
            {% for severity, days in (var('issue_sla_days') or {}).items() %}
                when severity_key = '{{ severity | lower | trim }}' then {{ days }}
            {% endfor %}
        end as sla_days
    from items
    where raid_type = 'Issue'
),

issue_project_counts as (
    select
        month,
        project_id,
        count(case when is_closed_in_month then 1 end) as closed_in_month,
        count(case when is_closed_in_month and days_to_close <= sla_days then 1 end) as closed_within_sla
    from issues
    group by month, project_id
),

issue_portfolio_counts as (
    -- pooled: every project's issues closed in the month together
    select
        month,
        cast(null as varchar) as project_id,
        sum(closed_in_month) as closed_in_month,
        sum(closed_within_sla) as closed_within_sla
    from issue_project_counts
    group by month
),

issue_counts as (
    select * from issue_project_counts
    union all
    select * from issue_portfolio_counts
),

issue_resolution_sla as (
    select
        month,
        project_id,
        'issue_resolution_sla' as kpi,
        cast(closed_within_sla as double precision) / nullif(closed_in_month, 0) as kpi_value,
        case when closed_in_month > 0 then cast(closed_within_sla as double precision) end as kpi_numerator,
        case when closed_in_month > 0 then cast(closed_in_month as double precision) end as kpi_denominator,
        cast(null as double precision) as secondary_value,
        case when closed_in_month = 0 then 'no RAID issue was closed in the month' end as not_tracked_reason
    from issue_counts
),

-- dependency_confirmation ----------------------------------------------------------------------------------------

dependencies as (
    select
        month,
        project_id,
        -- due within the horizon, overdue ones included; one without a due date may fall due any day, so it is in
        is_open and (due_date is null or due_date <= horizon_end) as is_in_horizon,
        -- confirmed: someone owns it and it has a date
        coalesce(nullif(trim(raid_owner), '') is not null and due_date is not null, false) as is_confirmed
    from items
    where raid_type = 'Dependency'
),

dependency_project_counts as (
    select
        month,
        project_id,
        count(case when is_in_horizon then 1 end) as in_horizon,
        count(case when is_in_horizon and is_confirmed then 1 end) as confirmed
    from dependencies
    group by month, project_id
),

dependency_portfolio_counts as (
    -- pooled: every project's open dependencies in the horizon together
    select
        month,
        cast(null as varchar) as project_id,
        sum(in_horizon) as in_horizon,
        sum(confirmed) as confirmed
    from dependency_project_counts
    group by month
),

dependency_counts as (
    select * from dependency_project_counts
    union all
    select * from dependency_portfolio_counts
),

dependency_confirmation as (
    select
        month,
        project_id,
        'dependency_confirmation' as kpi,
        cast(confirmed as double precision) / nullif(in_horizon, 0) as kpi_value,
        case when in_horizon > 0 then cast(confirmed as double precision) end as kpi_numerator,
        case when in_horizon > 0 then cast(in_horizon as double precision) end as kpi_denominator,
        cast(null as double precision) as secondary_value,
        case
            when in_horizon = 0
                then 'no open dependency is due within {{ var("dependency_horizon_days") }} days'
        end as not_tracked_reason
    from dependency_counts
),

kpis as (
    select * from risk_burn_down
    union all
    select * from issue_resolution_sla
    union all
    select * from dependency_confirmation
)

select
    month,
    project_id,
    cast(kpi as varchar) as kpi,
    kpi_value,
    kpi_numerator,
    kpi_denominator,
    secondary_value,
    cast(not_tracked_reason as varchar) as not_tracked_reason
from kpis
