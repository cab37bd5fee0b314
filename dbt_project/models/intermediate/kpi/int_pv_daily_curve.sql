{{
    config(
        materialized='table'
    )
}}

-- Materialized as a table, to cut the stack of views the models above it are planned through.
-- It holds the run's window months only (macros/months.sql), as a view would; the incremental marts keep
-- every month.
-- The planned value curve per project and month: PV(t) as of day baseline_start + t - 1, for t = 1 .. the day
-- the plan completes (DESIGN §5, earned schedule). Schedule plans sum their weighted tasks' planned fractions
-- on that day; agile plans follow a straight line from baseline start to baseline finish.
-- The curve is bounded (DESIGN §4a, limits.max_plan_days): a plan whose horizon spans more days has no curve,
-- and int_project_data_gaps names it (one task dated 9999-12-31 would otherwise cost millions of rows).
with inputs as (
    select month, project_id, is_schedule_plan, baseline_start, baseline_finish, bac
    from {{ ref('int_project_evm_inputs') }}
    where bac is not null and baseline_start is not null and baseline_finish is not null
),

tasks as (
    select month, project_id, weight, baseline_start, baseline_finish
    from {{ ref('int_tasks_weighted') }}
    where weight > 0 and baseline_start is not null and baseline_finish is not null
),

plan_finishes as (
    select month, project_id, max(baseline_finish) as last_task_finish
    from tasks
    group by month, project_id
),

horizons as (
    select
        inputs.month,
        inputs.project_id,
        inputs.is_schedule_plan,
        inputs.baseline_start,
        inputs.baseline_finish,
        inputs.bac,
        -- the curve runs until the later of the project's and its last task's baseline finish
        greatest(
            {{ days_between('inputs.baseline_start', 'inputs.baseline_finish') }},
            coalesce({{ days_between('inputs.baseline_start', 'plan_finishes.last_task_finish') }}, 0)
        ) as horizon_days
    from inputs
    left join plan_finishes
        on plan_finishes.month = inputs.month
        and plan_finishes.project_id = inputs.project_id
),

bounded_horizons as (
    select * from horizons
    where horizon_days <= {{ var('max_plan_days') }}
),

days as (
    select
        horizons.*,
        day_number.t,
        horizons.baseline_start + cast(day_number.t - 1 as integer) as curve_date
    from bounded_horizons as horizons,
        range(1, horizons.horizon_days + 1) as day_number (t)
),

schedule_curve as (
    select
        days.month,
        days.project_id,
        days.t,
        days.bac * sum(
            tasks.weight * {{ clamped_fraction(
                days_between('tasks.baseline_start', 'days.curve_date'),
                days_between('tasks.baseline_start', 'tasks.baseline_finish'),
            ) }}
        ) / nullif(sum(tasks.weight), 0) as pv
    from days
    inner join tasks
        on tasks.month = days.month
        and tasks.project_id = days.project_id
    where days.is_schedule_plan
    group by days.month, days.project_id, days.t, days.bac
),

agile_curve as (
    select
        month,
        project_id,
        t,
        bac * least(cast(t as double precision) / {{ days_between('baseline_start', 'baseline_finish') }}, 1.0) as pv
    from days
    where not is_schedule_plan
)

select month, project_id, t, pv from schedule_curve
union all
select month, project_id, t, pv from agile_curve
