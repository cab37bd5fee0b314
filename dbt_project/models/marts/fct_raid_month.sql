{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='month'
    )
}}

-- Each month's RAID log with what a steering committee needs to see: open, overdue, stale.
with projects as (
    select month, {{ month_end_date('month') }} as as_of, project_id
    from {{ ref('int_projects_as_of_month') }}
),

raid as (
    select * from {{ ref('int_raid_as_of_month') }}
)

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
