-- One row per project, milestone and window month, assessed against its baseline (DESIGN §5). Schedule plans
-- bring their own milestones; agile plans use the register's Milestones sheet. On time = done no later than
-- baseline + the tier's tolerance; a due milestone with no actual date is late. The previous month's forecast is
-- this run's view of it (register milestones carry the month before the window; a schedule plan's month before
-- the window is only in fct_milestone_month, which adds it).
with projects as (
    select month, as_of, project_id, tier, plan_source
    from {{ ref('int_projects_as_of_month') }}
),

schedule_milestones as (
    select
        month,
        project_id,
        'plan' as milestone_source,
        task_uid as milestone_key,
        task_name as milestone_name,
        baseline_finish as baseline_date,
        finish_date as forecast_date,
        coalesce(actual_finish, case when percent_complete_fraction >= 1 then finish_date end) as actual_date,
        -- a plan's milestone names no vendor (the vendor is a register column)
        cast(null as varchar) as milestone_vendor
    from {{ ref('int_tasks_weighted') }}
    where is_milestone
),

register_milestones as (
    -- includes the month before the window, for forecast accuracy
    select
        milestones.month,
        milestones.project_id,
        'register' as milestone_source,
        milestones.milestone_name as milestone_key,
        milestones.milestone_name,
        milestones.baseline_date,
        milestones.forecast_date,
        milestones.actual_date,
        milestones.milestone_vendor
    from {{ ref('int_milestones_as_of_month') }} as milestones
    where exists (
            select 1 from {{ ref('stg_register__projects') }} as registered
            where registered.snapshot_month = milestones.snapshot_month
                and registered.project_id = milestones.project_id
                and not registered.is_schedule_plan
        )
),

unioned as (
    select * from schedule_milestones
    union all
    select * from register_milestones
),

previous_forecasts as (
    select
        cast(month + interval 1 month as date) as month,
        project_id,
        milestone_source,
        milestone_key,
        forecast_date as previous_forecast_date
    from unioned
    qualify row_number() over (
            partition by month, project_id, milestone_source, milestone_key
        ) = 1
),

assessed as (
    select
        unioned.project_id,
        unioned.month,
        projects.as_of,
        unioned.milestone_source,
        unioned.milestone_key,
        unioned.milestone_name,
        unioned.baseline_date,
        unioned.forecast_date,
        unioned.actual_date,
        unioned.milestone_vendor,
        {{ tolerance_days('projects.tier') }} as tolerance_days,
        previous_forecasts.milestone_key is not null as is_listed_previous_month,
        previous_forecasts.previous_forecast_date
    from unioned
    inner join projects
        on projects.month = unioned.month
        and projects.project_id = unioned.project_id
    left join previous_forecasts
        on previous_forecasts.month = unioned.month
        and previous_forecasts.project_id = unioned.project_id
        and previous_forecasts.milestone_source = unioned.milestone_source
        and previous_forecasts.milestone_key = unioned.milestone_key
)

select
    project_id,
    month,
    as_of,
    milestone_source,
    milestone_key,
    milestone_name,
    baseline_date,
    forecast_date,
    actual_date,
    tolerance_days,
    baseline_date <= as_of as is_due,
    actual_date is not null and actual_date <= as_of as is_complete,
    -- a due milestone with no actual date is late
    (
        baseline_date <= as_of and actual_date is not null and actual_date <= as_of
        and actual_date <= baseline_date + tolerance_days
    ) as is_on_time,
    {{ dbt.datediff('baseline_date', 'coalesce(actual_date, forecast_date)', 'day') }} as slip_days,
    actual_date between month and as_of as completed_in_month,
    is_listed_previous_month,
    previous_forecast_date,
    milestone_vendor
from assessed
