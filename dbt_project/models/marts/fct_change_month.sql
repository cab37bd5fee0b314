{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='month'
    )
}}

-- Each month's change requests: decided ones with their cycle time, pending ones with how long they wait, and
-- those pending too long (var change_pending_days), which need the steering committee's decision. Both ages are
-- elapsed days (DESIGN §5: b - a), as cr_cycle_days_median is: a CR submitted on the 21st is 10 days old on the 31st.
with projects as (
    select month, as_of, project_id
    from {{ ref('int_projects_as_of_month') }}
),

changes as (
    select * from {{ ref('int_changes_as_of_month') }}
),

assessed as (
    select
        changes.project_id,
        changes.month,
        changes.cr_id,
        changes.cr_title,
        changes.submitted_date,
        changes.decided_date,
        changes.decision,
        changes.cost_impact,
        changes.schedule_impact_days,
        changes.decided_date is null or changes.decided_date > projects.as_of as is_pending,
        case when changes.decided_date is null or changes.decided_date > projects.as_of
                then {{ dbt.datediff('changes.submitted_date', 'projects.as_of', 'day') }}
        end as days_pending,
        case when changes.decided_date <= projects.as_of
                then {{ dbt.datediff('changes.submitted_date', 'changes.decided_date', 'day') }}
        end as cycle_days
    from changes
    inner join projects
        on projects.month = changes.month
        and projects.project_id = changes.project_id
)

select
    project_id,
    month,
    cr_id,
    cr_title,
    submitted_date,
    decided_date,
    decision,
    cost_impact,
    schedule_impact_days,
    is_pending,
    days_pending,
    cycle_days,
    coalesce(is_pending and days_pending > {{ var('change_pending_days') }}, false) as needs_decision
from assessed
