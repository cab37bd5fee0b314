-- Each window month's releases with their go-live date and whether the Go/No-Go page shows them (DESIGN §7):
-- the release KPIs (int_kpi_release) measure a project's current release, and the Go/No-Go marts list the releases
-- in the window. A release is any name the Readiness, UAT or Cutovers sheet gives the project.
{% set window_days = var('post_golive_window_days') %}

with projects as (
    select month, as_of, project_id, go_live_date
    from {{ ref('int_projects_as_of_month') }}
),

readiness as (
    select month, project_id, release_name
    from {{ ref('int_readiness_as_of_month') }}
),

uat as (
    select month, project_id, release_name
    from {{ ref('int_uat_as_of_month') }}
),

cutovers as (
    select month, project_id, release_name, cutover_planned_date, cutover_actual_date, cutover_outcome
    from {{ ref('int_cutovers_as_of_month') }}
),

release_names as (
    -- union (not union all): a release named on several sheets is one release
    select month, project_id, release_name from readiness
    union
    select month, project_id, release_name from uat
    union
    select month, project_id, release_name from cutovers
),

cutover_attempts as (
    -- a release rolled back and cut over again has several attempts: the last planned one is the go-live
    select
        month,
        project_id,
        release_name,
        cutover_planned_date,
        cutover_actual_date,
        cutover_outcome,
        row_number() over (
            partition by month, project_id, release_name
            order by cutover_planned_date desc, cutover_actual_date desc
        ) as attempt_rank
    from cutovers
),

last_attempts as (
    select month, project_id, release_name, cutover_planned_date, cutover_actual_date, cutover_outcome
    from cutover_attempts
    where attempt_rank = 1
),

dated as (
    select
        release_names.month,
        projects.as_of,
        release_names.project_id,
        release_names.release_name,
        last_attempts.cutover_planned_date,
        last_attempts.cutover_actual_date,
        last_attempts.cutover_outcome,
        -- the cutover's actual day, else its planned day; a release with no Cutovers row goes live with its project
        case
            when last_attempts.release_name is not null
                then coalesce(last_attempts.cutover_actual_date, last_attempts.cutover_planned_date)
            else projects.go_live_date
        end as go_live_date
    from release_names
    inner join projects
        on projects.month = release_names.month
        and projects.project_id = release_names.project_id
    left join last_attempts
        on last_attempts.month = release_names.month
        and last_attempts.project_id = release_names.project_id
        and last_attempts.release_name = release_names.release_name
),

measured as (
    select
        *,
        {{ dbt.datediff('as_of', 'go_live_date', 'day') }} as days_to_go_live
    from dated
),

current_candidates as (
    -- the releases going live on or after as_of - window: the earliest is the project's current release
    select
        month,
        project_id,
        release_name,
        row_number() over (
            partition by month, project_id
            order by go_live_date, release_name
        ) as go_live_rank
    from measured
    where days_to_go_live >= -{{ window_days }}
)

select
    measured.month,
    measured.as_of,
    measured.project_id,
    measured.release_name,
    measured.go_live_date,
    measured.days_to_go_live,
    coalesce(
        measured.days_to_go_live between -{{ window_days }} and {{ window_days }}, false
    ) as is_in_go_no_go_window,
    current_candidates.release_name is not null as is_current_release,
    measured.cutover_planned_date,
    measured.cutover_actual_date,
    measured.cutover_outcome
from measured
left join current_candidates
    on current_candidates.month = measured.month
    and current_candidates.project_id = measured.project_id
    and current_candidates.release_name = measured.release_name
    and current_candidates.go_live_rank = 1
