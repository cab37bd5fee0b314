{{ config(materialized='view') }}

-- What the forecast step (pipelines/core/warehouse/forecasts.py, DESIGN §5b) forecasts, per project and window
-- month: the method (the Monte Carlo over an agile plan's weekly throughput, or over a schedule plan's monthly
-- earned-schedule rate), the work that remains (in-scope items or points not done; the planned days not yet
-- earned, pd_days - es_days) and the dates a finish is measured against. A view over the month's marts: it
-- holds no data of its own.
with project_months as (
    select
        month,
        project_id,
        as_of,
        plan_source,
        percent_complete,
        pd_days,
        es_days,
        baseline_finish,
        go_live_date,
        ieac_t_finish
    from {{ ref('fct_project_month') }}
    where month between {{ window_start() }} and {{ window_end() }}
),

projects as (
    select month, project_id, is_schedule_plan
    from {{ ref('int_projects_as_of_month') }}
),

items as (
    select month, project_id, is_done, story_points
    from {{ ref('int_work_items_as_of_month') }}
    where project_id is not null and not is_out_of_scope and is_counted
),

agile_remaining as (
    -- in points when the plan uses points (as earned value and the throughput count them), else in items
    select
        month,
        project_id,
        count(*) as items_in_scope,
        case
            when count(*) filter (where story_points > 0) > 0
                then coalesce(sum(coalesce(story_points, 0)) filter (where not is_done), 0.0)
            else cast(count(*) filter (where not is_done) as double precision)
        end as remaining_work,
        case when count(*) filter (where story_points > 0) > 0 then 'points' else 'items' end as work_unit
    from items
    group by month, project_id
)

select
    project_months.month,
    project_months.project_id,
    project_months.as_of,
    case when projects.is_schedule_plan then 'earned_schedule' else 'throughput' end as method,  -- noqa: RF04
    case when projects.is_schedule_plan then 'days' else agile_remaining.work_unit end as work_unit,
    -- null when there is nothing to measure it by (no plan, or no earned schedule yet): no forecast
    case
        when projects.is_schedule_plan then cast(project_months.pd_days - project_months.es_days as double precision)
        else agile_remaining.remaining_work
    end as remaining_work,
    coalesce(project_months.percent_complete >= 1, false) as is_complete,
    project_months.baseline_finish,
    project_months.go_live_date,
    project_months.ieac_t_finish
from project_months
inner join projects
    on projects.month = project_months.month
    and projects.project_id = project_months.project_id
left join agile_remaining
    on agile_remaining.month = project_months.month
    and agile_remaining.project_id = project_months.project_id
