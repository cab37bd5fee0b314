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
    end as is_forecast_accurate
from with_previous
