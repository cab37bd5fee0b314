{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='month'
    )
}}

-- Each month's RAID log with what a steering committee needs to see: open, overdue, stale, and the items that
-- need its decision (DESIGN §5c: high risks past due).
with projects as (
    select month, as_of, project_id
    from {{ ref('int_projects_as_of_month') }}
),

raid as (
    select * from {{ ref('int_raid_as_of_month') }}
),

assessed as (
    select
        raid.project_id,
        raid.month,
        raid.raid_id,
        raid.raid_type,
        raid.raid_title,
        raid.raid_owner,
        raid.severity,
        raid.raid_status,
        raid.raised_date,
        raid.last_updated,
        raid.due_date,
        raid.is_open,
        raid.is_open and raid.due_date < projects.as_of as is_overdue,
        {{ dbt.datediff('raid.last_updated', 'projects.as_of', 'day') }} as days_since_update
    from raid
    inner join projects
        on projects.month = raid.month
        and projects.project_id = raid.project_id
)

select
    project_id,
    month,
    raid_id,
    raid_type,
    raid_title,
    raid_owner,
    severity,
    raid_status,
    raised_date,
    last_updated,
    due_date,
    is_open,
    is_overdue,
    days_since_update,
    -- a Critical or High item past its due date
    coalesce(is_overdue and severity in ('Critical', 'High'), false) as needs_decision
from assessed
