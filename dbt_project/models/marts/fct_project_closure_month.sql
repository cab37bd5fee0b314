{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='month'
    )
}}

-- The closure report (DESIGN §7): one row per window month and project that is closed as of the month - its
-- go-live has passed and its plan is complete. Scope delivered, the final schedule and cost against the
-- baseline, how early the P85 forecast pointed at the real finish, benefits readiness at go-live, the
-- post-go-live incidents and the RAID still open. It reads the stored earlier months of fct_project_month and
-- fct_forecast_month (a project's history is the point of a closure report): it runs after both in the build.
-- A P85 counts as pointing at the finish when it is at most this many days either side of it.
{% set p85_tolerance_days = 14 %}

with project_months as (
    -- every stored month up to the window's end: the drift history and the go-live month's readiness
    select
        month,
        as_of,
        project_id,
        project_name,
        go_live_date,
        baseline_start,
        baseline_finish,
        forecast_finish,
        percent_complete,
        bac,
        ac,
        eac,
        cpi,
        spi_t,
        cost_overrun_pct,
        eac_drift_pct,
        readiness_score,
        benefits_ready
    from {{ ref('fct_project_month') }}
    where month <= {{ window_end() }}
),

evm_inputs as (
    select month, project_id, is_schedule_plan, actual_finish
    from {{ ref('int_project_evm_inputs') }}
),

work_items as (
    -- the items that count (DESIGN §5): no container, no child of a counted item
    select month, project_id, is_out_of_scope, is_done, created_at
    from {{ ref('int_work_items_as_of_month') }}
    where project_id is not null and is_counted
),

schedule_tasks as (
    -- the plan's work, not its summary rows (a summary task repeats its children)
    select month, project_id, percent_complete_fraction
    from {{ ref('int_schedule_tasks_as_of_month') }}
    where project_id is not null and not is_summary
),

incidents as (
    select month, project_id, incidents_total, p1_count, p2_count, incidents_per_week, baseline_per_week
    from {{ ref('fct_post_golive_incidents') }}
    where month between {{ window_start() }} and {{ window_end() }}
),

raid as (
    select month, project_id, severity, is_open
    from {{ ref('fct_raid_month') }}
    where month between {{ window_start() }} and {{ window_end() }}
),

forecasts as (
    -- only months with a forecast to judge: not those without history, nor those after completion
    select month, as_of, project_id, p85_finish
    from {{ ref('fct_forecast_month') }}
    where forecast_status = 'ok' and month <= {{ window_end() }}
),

closed as (
    -- closed as of the month: gone live by as_of and every bit of the plan's work done
    select
        project_months.month,
        project_months.as_of,
        project_months.project_id,
        project_months.project_name,
        evm_inputs.is_schedule_plan,
        project_months.go_live_date,
        -- the plan's own finish (the last task's finish, the last counted item's resolution); the mart's
        -- forecast_finish when the plan dates none
        coalesce(evm_inputs.actual_finish, project_months.forecast_finish) as actual_finish,
        project_months.baseline_start,
        project_months.baseline_finish,
        project_months.bac,
        project_months.ac,
        project_months.eac,
        project_months.cpi,
        project_months.spi_t,
        project_months.cost_overrun_pct
    from project_months
    left join evm_inputs
        on evm_inputs.month = project_months.month
        and evm_inputs.project_id = project_months.project_id
    where project_months.month between {{ window_start() }} and {{ window_end() }}
        and project_months.go_live_date <= project_months.as_of
        and project_months.percent_complete >= 1
),

eac_history as (
    -- the largest month-on-month EAC move over the project's stored months up to this one
    select
        closed.month,
        closed.project_id,
        max(project_months.eac_drift_pct) as eac_drift_max_pct
    from closed
    inner join project_months
        on project_months.project_id = closed.project_id
        and project_months.month <= closed.month
    group by closed.month, closed.project_id
),

go_live_readiness as (
    -- benefits readiness as it stood in the go-live month (null when that month is not stored)
    select
        closed.month,
        closed.project_id,
        project_months.readiness_score,
        project_months.benefits_ready
    from closed
    inner join project_months
        on project_months.project_id = closed.project_id
        and project_months.month = cast({{ dbt.date_trunc('month', 'closed.go_live_date') }} as date)
),

agile_scope as (
    select
        closed.month,
        closed.project_id,
        count(*) filter (where not work_items.is_out_of_scope) as items_in_scope,
        count(*) filter (where not work_items.is_out_of_scope and work_items.is_done) as items_done,
        count(*) filter (where work_items.is_out_of_scope) as items_removed,
        -- as scope churn counts them (int_project_signals): created after the baseline start
        count(*) filter (
            where cast(work_items.created_at as date) > closed.baseline_start
        ) as items_added_after_baseline
    from closed
    inner join work_items
        on work_items.month = closed.month
        and work_items.project_id = closed.project_id
    group by closed.month, closed.project_id
),

schedule_scope as (
    select
        closed.month,
        closed.project_id,
        count(*) filter (where coalesce(schedule_tasks.percent_complete_fraction, 0) >= 1) as tasks_done,
        count(*) as tasks_total
    from closed
    inner join schedule_tasks
        on schedule_tasks.month = closed.month
        and schedule_tasks.project_id = closed.project_id
    group by closed.month, closed.project_id
),

open_raid as (
    select
        month,
        project_id,
        count(*) filter (where is_open) as open_raid_count,
        count(*) filter (where is_open and severity in ('Critical', 'High')) as open_high_raid_count
    from raid
    group by month, project_id
),

judged_forecasts as (
    -- each forecast made on or before the finish, against the finish it was forecasting; a P85 beyond the
    -- horizon (null) never pointed at it
    select
        closed.month,
        closed.project_id,
        forecasts.month as forecast_month,
        forecasts.as_of as forecast_as_of,
        coalesce(
            abs({{ dbt.datediff('closed.actual_finish', 'forecasts.p85_finish', 'day') }})
            <= {{ p85_tolerance_days }},
            false
        ) as is_within_tolerance
    from closed
    inner join forecasts
        on forecasts.project_id = closed.project_id
        and forecasts.month <= closed.month
        and forecasts.as_of <= closed.actual_finish
),

last_misses as (
    select month, project_id, max(forecast_month) as last_miss_month
    from judged_forecasts
    where not is_within_tolerance
    group by month, project_id
),

track_record as (
    -- the earliest forecast after the last miss: from it on, every P85 was within the tolerance (none when
    -- the last forecast itself missed)
    select
        judged_forecasts.month,
        judged_forecasts.project_id,
        count(*) as forecast_months,
        min(judged_forecasts.forecast_as_of) filter (
            where judged_forecasts.is_within_tolerance
            and (
                last_misses.last_miss_month is null
                or judged_forecasts.forecast_month > last_misses.last_miss_month
            )
        ) as settled_as_of
    from judged_forecasts
    left join last_misses
        on last_misses.month = judged_forecasts.month
        and last_misses.project_id = judged_forecasts.project_id
    group by judged_forecasts.month, judged_forecasts.project_id
)

select
    closed.month,
    closed.project_id,
    closed.project_name,
    closed.is_schedule_plan,
    closed.go_live_date,
    closed.actual_finish,
    closed.baseline_start,
    closed.baseline_finish,
    {{ dbt.datediff('closed.baseline_finish', 'closed.actual_finish', 'day') }} as finish_slip_days,
    closed.bac,
    closed.ac,
    closed.eac,
    closed.cost_overrun_pct,
    closed.cpi,
    closed.spi_t,
    eac_history.eac_drift_max_pct,
    -- the scope of the plan's kind only: the other kind's counts stay null
    case when not closed.is_schedule_plan then coalesce(agile_scope.items_in_scope, 0) end as agile_items_in_scope,
    case when not closed.is_schedule_plan then coalesce(agile_scope.items_done, 0) end as agile_items_done,
    case when not closed.is_schedule_plan then coalesce(agile_scope.items_removed, 0) end as agile_items_removed,
    case
        when not closed.is_schedule_plan then coalesce(agile_scope.items_added_after_baseline, 0)
    end as agile_items_added_after_baseline,
    case when closed.is_schedule_plan then coalesce(schedule_scope.tasks_done, 0) end as schedule_tasks_done,
    case when closed.is_schedule_plan then coalesce(schedule_scope.tasks_total, 0) end as schedule_tasks_total,
    go_live_readiness.readiness_score as benefits_readiness_at_go_live,
    go_live_readiness.benefits_ready as benefits_ready_at_go_live,
    incidents.incidents_total,
    incidents.p1_count as incidents_p1_count,
    incidents.p2_count as incidents_p2_count,
    incidents.incidents_per_week,
    incidents.baseline_per_week,
    -- RAID is a required sheet: a project with no open item has 0
    coalesce(open_raid.open_raid_count, 0) as open_raid_count,
    coalesce(open_raid.open_high_raid_count, 0) as open_high_raid_count,
    coalesce(track_record.forecast_months, 0) as forecast_months,
    track_record.settled_as_of as p85_settled_as_of,
    {{ dbt.datediff('track_record.settled_as_of', 'closed.actual_finish', 'day') }} as p85_lead_days,
    -- the tolerance the track record was judged by, so the page that shows it never keeps its own
    {{ p85_tolerance_days }} as p85_tolerance_days
from closed
left join eac_history
    on eac_history.month = closed.month
    and eac_history.project_id = closed.project_id
left join go_live_readiness
    on go_live_readiness.month = closed.month
    and go_live_readiness.project_id = closed.project_id
left join agile_scope
    on agile_scope.month = closed.month
    and agile_scope.project_id = closed.project_id
left join schedule_scope
    on schedule_scope.month = closed.month
    and schedule_scope.project_id = closed.project_id
left join incidents
    on incidents.month = closed.month
    and incidents.project_id = closed.project_id
left join open_raid
    on open_raid.month = closed.month
    and open_raid.project_id = closed.project_id
left join track_record
    on track_record.month = closed.month
    and track_record.project_id = closed.project_id
