-- Benefits readiness per benefit and window month: five checks (DESIGN §5). The tracking start must be on or
-- before go-live: the actual go-live when there is one, else the planned one.
with projects as (
    select month, project_id, go_live_date
    from {{ ref('int_projects_as_of_month') }}
),

benefits as (
    select * from {{ ref('int_benefits_as_of_month') }}
),

checked as (
    select
        benefits.project_id,
        benefits.month,
        benefits.benefit_id,
        benefits.benefit_description,
        benefits.benefit_owner,
        benefits.metric,
        projects.go_live_date,
        benefits.tracking_start,
        benefits.benefit_owner is not null as has_owner,
        benefits.metric is not null as has_metric,
        benefits.baseline_value is not null as has_baseline_value,
        benefits.target_value is not null and benefits.target_date is not null as has_target_with_date,
        coalesce(benefits.tracking_start <= projects.go_live_date, false) as tracking_starts_by_go_live
    from benefits
    inner join projects
        on projects.month = benefits.month
        and projects.project_id = benefits.project_id
),

counted as (
    select
        *,
        (
            cast(has_owner as integer) + cast(has_metric as integer) + cast(has_baseline_value as integer)
            + cast(has_target_with_date as integer) + cast(tracking_starts_by_go_live as integer)
        ) as checks_met
    from checked
)

select
    *,
    checks_met / 5.0 as readiness_score
from counted
