{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='month'
    )
}}

-- Each month's releases with what the Go/No-Go readiness page shows of them (DESIGN §7): readiness, UAT progress,
-- the cutover and its outcome, the project's open high RAID and its benefits readiness. Every release is listed;
-- the page takes those with is_in_go_no_go_window.
with releases as (
    select * from {{ ref('int_release_go_live') }}
),

projects as (
    select month, as_of, project_id
    from {{ ref('int_projects_as_of_month') }}
),

readiness as (
    select month, project_id, release_name, readiness_status, due_date
    from {{ ref('int_readiness_as_of_month') }}
),

uat as (
    select month, project_id, release_name, uat_as_of_date, cases_planned, cases_executed, cases_passed
    from {{ ref('int_uat_as_of_month') }}
),

raid as (
    select month, project_id, severity, is_open
    from {{ ref('int_raid_as_of_month') }}
),

benefit_checks as (
    -- the intermediate fct_project_month's readiness_score comes from (its mean over the project's benefits)
    select month, project_id, readiness_score
    from {{ ref('int_benefit_checks') }}
),

readiness_counts as (
    select
        readiness.month,
        readiness.project_id,
        readiness.release_name,
        count(*) filter (where readiness.readiness_status <> 'N/A') as readiness_items,
        count(*) filter (where readiness.readiness_status = 'Done') as readiness_done,
        count(*) filter (
            where readiness.readiness_status = 'Open' and readiness.due_date < projects.as_of
        ) as readiness_open_overdue
    from readiness
    inner join projects
        on projects.month = readiness.month
        and projects.project_id = readiness.project_id
    group by readiness.month, readiness.project_id, readiness.release_name
),

uat_ranked as (
    -- the release's latest progress row on or before as_of; rows dated later are not known yet
    select
        uat.month,
        uat.project_id,
        uat.release_name,
        uat.uat_as_of_date,
        uat.cases_planned,
        uat.cases_executed,
        uat.cases_passed,
        row_number() over (
            partition by uat.month, uat.project_id, uat.release_name
            order by uat.uat_as_of_date desc
        ) as recency_rank
    from uat
    inner join projects
        on projects.month = uat.month
        and projects.project_id = uat.project_id
    where uat.uat_as_of_date <= projects.as_of
),

uat_latest as (
    select month, project_id, release_name, uat_as_of_date, cases_planned, cases_executed, cases_passed
    from uat_ranked
    where recency_rank = 1
),

open_high_raid as (
    select
        month,
        project_id,
        count(*) filter (where is_open and severity in ('Critical', 'High')) as open_high_raid
    from raid
    group by month, project_id
),

benefits as (
    select
        month,
        project_id,
        avg(readiness_score) as benefits_readiness_score
    from benefit_checks
    group by month, project_id
)

select
    releases.month,
    releases.project_id,
    releases.release_name,
    releases.go_live_date,
    releases.days_to_go_live,
    releases.is_in_go_no_go_window,
    releases.is_current_release,
    coalesce(readiness_counts.readiness_items, 0) as readiness_items,
    coalesce(readiness_counts.readiness_done, 0) as readiness_done,
    cast(readiness_counts.readiness_done as double precision) / nullif(readiness_counts.readiness_items, 0)
        as readiness_pct,
    coalesce(readiness_counts.readiness_open_overdue, 0) as readiness_open_overdue,
    uat_latest.cases_planned as uat_cases_planned,
    uat_latest.cases_executed as uat_cases_executed,
    uat_latest.cases_passed as uat_cases_passed,
    cast(uat_latest.cases_executed as double precision) / nullif(uat_latest.cases_planned, 0) as uat_completion_pct,
    cast(uat_latest.cases_passed as double precision) / nullif(uat_latest.cases_executed, 0) as uat_pass_rate,
    uat_latest.uat_as_of_date,
    releases.cutover_planned_date,
    releases.cutover_actual_date,
    releases.cutover_outcome,
    -- RAID is a required sheet: a project with no open Critical or High item has 0
    coalesce(open_high_raid.open_high_raid, 0) as open_high_raid,
    benefits.benefits_readiness_score
from releases
left join readiness_counts
    on readiness_counts.month = releases.month
    and readiness_counts.project_id = releases.project_id
    and readiness_counts.release_name = releases.release_name
left join uat_latest
    on uat_latest.month = releases.month
    and uat_latest.project_id = releases.project_id
    and uat_latest.release_name = releases.release_name
left join open_high_raid
    on open_high_raid.month = releases.month
    and open_high_raid.project_id = releases.project_id
left join benefits
    on benefits.month = releases.month
    and benefits.project_id = releases.project_id
