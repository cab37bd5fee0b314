{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='month'
    )
}}

-- One row per project, milestone and month (int_milestones_assessed), with the forecast accuracy of the
-- milestones completed in the month against the previous month's forecast (DESIGN §5).
with assessed as (
    select * from {{ ref('int_milestones_assessed') }}
),

{% if is_incremental() %}
stored_previous_forecasts as (
    -- a window that starts after months already built finds its previous month here; this run's view of the
    -- previous month, when it has one, wins over what the table stored
    select
        cast(month + interval 1 month as date) as month,
        project_id,
        milestone_source,
        milestone_key,
        forecast_date as previous_forecast_date
    from {{ this }}
    where month = {{ previous_month(window_start()) }}
    qualify row_number() over (partition by month, project_id, milestone_source, milestone_key) = 1
),

-- the month after the window, as published: its forecast accuracy reads the window's last month, so this run
-- re-emits it with that recomputed and the rest as stored (DESIGN §2: re-running M refreshes M+1's increments)
next_published as (
    select *
    from {{ this }}
    where month = {{ next_month(window_end()) }}
),

window_end_forecasts as (
    select
        {{ next_month('month') }} as month,
        project_id,
        milestone_source,
        milestone_key,
        forecast_date as previous_forecast_date
    from assessed
    where month = {{ window_end() }}
    qualify row_number() over (partition by month, project_id, milestone_source, milestone_key) = 1
),
{% endif %}

with_previous as (
    select
        -- (sqlfluff reads the columns DuckDB's `* exclude` names as unqualified references)
        assessed.* exclude (is_listed_previous_month, previous_forecast_date),  -- noqa: RF03
        {% if is_incremental() %}
        case
            when assessed.is_listed_previous_month then assessed.previous_forecast_date
            else stored_previous_forecasts.previous_forecast_date
        end as previous_forecast_date
        {% else %}
            assessed.previous_forecast_date
        {% endif %}
    from assessed
    {% if is_incremental() %}
    left join stored_previous_forecasts
        on stored_previous_forecasts.month = assessed.month
        and stored_previous_forecasts.project_id = assessed.project_id
        and stored_previous_forecasts.milestone_source = assessed.milestone_source
        and stored_previous_forecasts.milestone_key = assessed.milestone_key
    union all by name
    select
        next_published.* exclude (previous_forecast_date, forecast_error_days, is_forecast_accurate),
        window_end_forecasts.previous_forecast_date
    from next_published
    left join window_end_forecasts
        on window_end_forecasts.month = next_published.month
        and window_end_forecasts.project_id = next_published.project_id
        and window_end_forecasts.milestone_source = next_published.milestone_source
        and window_end_forecasts.milestone_key = next_published.milestone_key
    {% endif %}
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
    is_due,
    is_complete,
    is_on_time,
    slip_days,
    completed_in_month,
    previous_forecast_date,
    case when completed_in_month and previous_forecast_date is not null
            then {{ dbt.datediff('previous_forecast_date', 'actual_date', 'day') }}
    end as forecast_error_days,
    case when completed_in_month and previous_forecast_date is not null
            then abs({{ dbt.datediff('previous_forecast_date', 'actual_date', 'day') }})
            -- the horizon is a lead time, elapsed (DESIGN §5: b - a)
                <= greatest(1, 0.1 * {{ dbt.datediff("cast(month - interval 1 day as date)", 'previous_forecast_date', 'day') }})
    end as is_forecast_accurate,
    -- last, as append_new_columns adds it to a table built before it existed
    milestone_vendor
from with_previous
