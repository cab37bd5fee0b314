{{ config(materialized='view') }}

-- The history each window month's forecast samples (DESIGN §5b), one row per period, period 1 the latest:
-- - an agile plan's weekly throughput (int_forecast_throughput_weeks);
-- - a schedule plan's month-on-month earned-schedule rate, (ES - the previous month's ES) / the calendar days
--   between their as_of dates, over up to the 6 month pairs ending at the month. A pair counts only when both
--   its months measure against the baseline the month forecasts (the same baseline start and planned
--   duration): across a re-plan two ES values are on different clocks, and their difference is no pace.
-- Read from the stored fct_project_month, which holds every month already built (the months before the window
-- included), so a one-month run still sees six months of history.
with throughput_weeks as (
    select month, project_id, week_no as period_no, week_end as period_end, throughput as period_value
    from {{ ref('int_forecast_throughput_weeks') }}
),

schedule_projects as (
    select month, project_id
    from {{ ref('int_projects_as_of_month') }}
    where is_schedule_plan
),

stored_months as (
    select month, project_id, as_of, es_days, pd_days, baseline_start
    from {{ ref('fct_project_month') }}
    where month <= {{ window_end() }}
),

month_pairs as (
    select
        schedule_projects.month,
        schedule_projects.project_id,
        later.month as period_month,
        later.as_of as period_end,
        (later.es_days - earlier.es_days)
        / cast(nullif({{ dbt.datediff('earlier.as_of', 'later.as_of', 'day') }}, 0) as double precision)
            as period_value
    from schedule_projects
    inner join stored_months as current_month
        on current_month.project_id = schedule_projects.project_id
        and current_month.month = schedule_projects.month
    inner join stored_months as later
        on later.project_id = schedule_projects.project_id
        and later.month <= schedule_projects.month
        and later.month > cast({{ dbt.dateadd('month', -6, 'schedule_projects.month') }} as date)
    inner join stored_months as earlier
        on earlier.project_id = later.project_id
        and earlier.month = {{ previous_month('later.month') }}
    where later.es_days is not null
        and earlier.es_days is not null
        and later.pd_days = current_month.pd_days
        and earlier.pd_days = current_month.pd_days
        and later.baseline_start = current_month.baseline_start
        and earlier.baseline_start = current_month.baseline_start
),

schedule_rates as (
    select
        month,
        project_id,
        row_number() over (partition by month, project_id order by period_month desc) as period_no,
        period_end,
        period_value
    from month_pairs
)

select month, project_id, 'throughput' as method, period_no, period_end, period_value  -- noqa: RF04
from throughput_weeks
union all
select month, project_id, 'earned_schedule' as method, period_no, period_end, period_value  -- noqa: RF04
from schedule_rates
