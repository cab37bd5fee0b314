-- An agile plan's weekly throughput before as_of (DESIGN §5b): the work done in each of the last
-- forecast_history_weeks 7-day windows ending on as_of (week 1 is (as_of - 7 d, as_of]), in points when the plan
-- uses points (any counted item has points, as earned value counts them) else in items. Only the weeks that end
-- on or after the plan's first resolution are history: a team that had not started yet says nothing of its pace.
-- A week with nothing done is a week of 0, which the Monte Carlo samples like any other.
{%- set history_weeks = var('forecast_history_weeks') | int %}
with projects as (
    select month, project_id, as_of
    from {{ ref('int_projects_as_of_month') }}
    where not is_schedule_plan
),

items as (
    -- the items earned value counts (int_project_evm_inputs): in scope, counted, mapped to a project
    select
        month,
        project_id,
        is_done,
        story_points,
        cast(resolved_at as date) as resolved_on
    from {{ ref('int_work_items_as_of_month') }}
    where project_id is not null and not is_out_of_scope and is_counted
),

plan_units as (
    select
        month,
        project_id,
        count(*) filter (where story_points > 0) > 0 as uses_points,
        min(resolved_on) filter (where is_done) as first_resolved_on
    from items
    group by month, project_id
),

week_numbers as (
    -- 1 .. forecast_history_weeks, written out: portable where generate_series is not
    {% for week_no in range(1, history_weeks + 1) -%}
        select {{ week_no }} as week_no{{ " union all" if not loop.last }}
    {% endfor %}
),

weeks as (
    -- the history's weeks: those ending (as_of - 7 (n - 1) days) on or after the first resolution
    select
        projects.month,
        projects.project_id,
        projects.as_of,
        plan_units.uses_points,
        week_numbers.week_no,
        cast({{ dbt.dateadd('day', '-7 * (week_numbers.week_no - 1)', 'projects.as_of') }} as date) as week_end
    from projects
    inner join plan_units
        on plan_units.month = projects.month
        and plan_units.project_id = projects.project_id
    cross join week_numbers
    where plan_units.first_resolved_on is not null
        and {{ dbt.datediff('plan_units.first_resolved_on', 'projects.as_of', 'day') }} >= 7 * (week_numbers.week_no - 1)
),

done_items as (
    select
        items.month,
        items.project_id,
        items.story_points,
        -- (as_of - 7 n, as_of - 7 (n - 1)]: a resolution on as_of itself is week 1's
        cast(floor(
            cast({{ dbt.datediff('items.resolved_on', 'projects.as_of', 'day') }} as double precision) / 7
        ) as integer) + 1 as week_no
    from items
    inner join projects
        on projects.month = items.month
        and projects.project_id = items.project_id
    where items.is_done
        and items.resolved_on is not null
        and items.resolved_on <= projects.as_of
),

done_by_week as (
    select
        month,
        project_id,
        week_no,
        count(*) as items_done,
        sum(coalesce(story_points, 0)) as points_done
    from done_items
    group by month, project_id, week_no
)

select
    weeks.month,
    weeks.project_id,
    weeks.week_no,
    weeks.week_end,
    case when weeks.uses_points then 'points' else 'items' end as throughput_unit,
    cast(
        case
            when weeks.uses_points then coalesce(done_by_week.points_done, 0)
            else coalesce(done_by_week.items_done, 0)
        end as double precision
    ) as throughput
from weeks
left join done_by_week
    on done_by_week.month = weeks.month
    and done_by_week.project_id = weeks.project_id
    and done_by_week.week_no = weeks.week_no
