{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='month'
    )
}}

-- How many of a project's trials finish on each date (DESIGN §5b), for the forecast chart of its page: the
-- distribution whose P50, P85 and P95 fct_forecast_month reports. A null finish_date counts the trials that never
-- finish within the horizon (a pace of 0 drawn too often).
with distribution as (
    select month, project_id, finish_date, trials
    from {{ ref('stg_forecast__monte_carlo_distribution') }}
    where month between {{ window_start() }} and {{ window_end() }}
),

forecasts as (
    select month, project_id, trials
    from {{ ref('stg_forecast__monte_carlo_month') }}
)

select
    distribution.month,
    distribution.project_id,
    distribution.finish_date,
    distribution.trials,
    cast(distribution.trials as double precision) / nullif(forecasts.trials, 0) as trials_share
from distribution
inner join forecasts
    on forecasts.month = distribution.month
    and forecasts.project_id = distribution.project_id
