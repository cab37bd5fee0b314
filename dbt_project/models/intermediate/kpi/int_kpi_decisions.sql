-- The decision KPI of DESIGN §5a, decision_latency, per window month and project and for the portfolio (the KPI
-- intermediate contract: fct_kpi_scorecard_month joins the targets and grades it). It reads the Decisions sheet of
-- the register serving the month: the median elapsed days raised → decided of the decisions taken in the month,
-- with the open decisions past their needed-by date beside it (fct_decision_month lists them).
with projects as (
    select
        month,
        project_id,
        as_of
    from {{ ref('int_projects_as_of_month') }}
),

decisions as (
    select
        month,
        project_id,
        raised_date,
        needed_by_date,
        decided_date
    from {{ ref('int_decisions_as_of_month') }}
),

assessed as (
    -- the inner join keeps window months only (int_decisions_as_of_month also holds the month before the window)
    select
        projects.month,
        projects.project_id,
        coalesce(
            decisions.decided_date >= projects.month and decisions.decided_date <= projects.as_of, false
        ) as is_decided_in_month,
        {{ dbt.datediff('decisions.raised_date', 'decisions.decided_date', 'day') }} as latency_days,
        -- open as of as_of (a decided date after it is not yet taken) and past the day it was needed by; the same
        -- rule as fct_decision_month's is_overdue
        coalesce(
            (decisions.decided_date is null or decisions.decided_date > projects.as_of)
            and decisions.needed_by_date < projects.as_of,
            false
        ) as is_overdue
    from projects
    inner join decisions
        on projects.month = decisions.month
        and projects.project_id = decisions.project_id
),

measured as (
    select
        month,
        project_id,
        is_decided_in_month,
        is_overdue,
        case when is_decided_in_month then latency_days end as decided_latency_days
    from assessed
),

project_latency as (
    select
        month,
        project_id,
        count(case when is_decided_in_month then 1 end) as decided_in_month,
        {{ median('decided_latency_days') }} as latency_median,
        count(case when is_overdue then 1 end) as overdue_open
    from measured
    group by month, project_id
),

portfolio_latency as (
    -- pooled: the median over every decision of the portfolio taken in the month (not a median of medians)
    select
        month,
        cast(null as varchar) as project_id,
        count(case when is_decided_in_month then 1 end) as decided_in_month,
        {{ median('decided_latency_days') }} as latency_median,
        count(case when is_overdue then 1 end) as overdue_open
    from measured
    group by month
),

latency as (
    select * from project_latency
    union all
    select * from portfolio_latency
)

select
    month,
    project_id,
    cast('decision_latency' as varchar) as kpi,
    cast(latency_median as double precision) as kpi_value,
    cast(null as double precision) as kpi_numerator,
    cast(null as double precision) as kpi_denominator,
    -- the open decisions past their needed-by date, counted even in a month that took none
    cast(overdue_open as double precision) as secondary_value,
    cast(
        case
            when decided_in_month = 0 then 'no decision was taken in the month'
            when latency_median is null then 'no decision taken in the month has a raised date'
        end as varchar
    ) as not_tracked_reason
from latency
