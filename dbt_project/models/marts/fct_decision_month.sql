{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='month'
    )
}}

-- Each month's Decisions log (the register's optional sheet, DESIGN §3) with what a steering committee needs to
-- see: open, overdue, how long each has waited or took, and the decisions it must take now. needs_decision is the
-- one rule that puts a decision under "Decisions needed" on the executive page: the reports read it, never their
-- own threshold.
with projects as (
    select
        month,
        as_of,
        project_id
    from {{ ref('int_projects_as_of_month') }}
),

decisions as (
    select * from {{ ref('int_decisions_as_of_month') }}
),

dated as (
    -- the inner join keeps window months only (int_decisions_as_of_month also holds the month before the window)
    select
        decisions.project_id,
        decisions.month,
        projects.as_of,
        decisions.decision_id,
        decisions.decision_title,
        decisions.decision_owner,
        decisions.raised_date,
        decisions.needed_by_date,
        decisions.decided_date,
        decisions.decision_outcome,
        -- a decided date after as_of is not yet taken as of the month (a register may carry a planned date)
        decisions.decided_date is null or decisions.decided_date > projects.as_of as is_open
    from decisions
    inner join projects
        on projects.month = decisions.month
        and projects.project_id = decisions.project_id
),

assessed as (
    select
        project_id,
        month,
        as_of,
        decision_id,
        decision_title,
        decision_owner,
        raised_date,
        needed_by_date,
        decided_date,
        decision_outcome,
        is_open,
        -- past the day it was needed by (the same rule as int_kpi_decisions' overdue count)
        coalesce(is_open and needed_by_date < as_of, false) as is_overdue
    from dated
)

select
    project_id,
    month,
    decision_id,
    decision_title,
    decision_owner,
    raised_date,
    needed_by_date,
    decided_date,
    decision_outcome,
    is_open,
    is_overdue,
    case when is_open then {{ dbt.datediff('raised_date', 'as_of', 'day') }} end as days_open,
    case when not is_open then {{ dbt.datediff('raised_date', 'decided_date', 'day') }} end as latency_days,
    case when is_overdue then {{ dbt.datediff('needed_by_date', 'as_of', 'day') }} end as days_overdue,
    -- "Decisions needed": open and past its needed-by date
    is_overdue as needs_decision
from assessed
