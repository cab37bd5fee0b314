-- Schedule tasks with their earned-value weight and planned fraction as of the month's end (DESIGN §5):
-- w = baseline cost when the plan carries baseline costs, else the baseline duration in days; summary tasks,
-- milestones and tasks whose baseline finishes before it starts weigh nothing.
with tasks as (
    select *
    from {{ ref('int_schedule_tasks_as_of_month') }}
    where project_id is not null
),

plans as (
    select
        month,
        project_id,
        bool_or(coalesce(baseline_cost, 0) > 0) filter (where not is_summary) as plan_has_baseline_costs
    from tasks
    group by month, project_id
),

weighted as (
    select
        tasks.month,
        {{ month_end_date('tasks.month') }} as as_of,
        tasks.project_id,
        tasks.plan_source,
        tasks.task_uid,
        tasks.task_name,
        tasks.is_summary,
        tasks.is_milestone,
        tasks.baseline_start,
        tasks.baseline_finish,
        tasks.start_date,
        tasks.finish_date,
        tasks.actual_finish,
        coalesce(tasks.percent_complete_fraction, 0) as percent_complete_fraction,
        -- never negative: a baseline that finishes before it starts weighs 0 (and is a data gap), or it would
        -- cancel other tasks' weight and inflate PV and EV
        case
            when tasks.is_summary or tasks.is_milestone then 0.0
            when tasks.baseline_finish < tasks.baseline_start then 0.0
            when coalesce(plans.plan_has_baseline_costs, false) then greatest(coalesce(tasks.baseline_cost, 0.0), 0.0)
            else coalesce(
                    cast({{ days_between('tasks.baseline_start', 'tasks.baseline_finish') }} as double precision), 0.0
                )
        end as weight
    from tasks
    inner join plans
        on plans.month = tasks.month
        and plans.project_id = tasks.project_id
)

select
    *,
    {{ clamped_fraction(
        days_between('baseline_start', 'as_of'),
        days_between('baseline_start', 'baseline_finish'),
    ) }} as planned_fraction
from weighted
