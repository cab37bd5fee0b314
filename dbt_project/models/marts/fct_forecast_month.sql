{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='month'
    )
}}

-- Each project's finish forecast per month (DESIGN §5b): the Monte Carlo the forecast step ran on the month's
-- inputs, with IEAC(t)'s finish beside it. Every month's forecast is kept (the mart is incremental by month), so
-- the pack shows how the P85 moved and, once a project finishes, how early it pointed at the real finish.
with inputs as (
    select
        month,
        project_id,
        as_of,
        method,
        work_unit,
        remaining_work,
        baseline_finish,
        go_live_date,
        ieac_t_finish
    from {{ ref('fct_forecast_inputs_month') }}
),

forecasts as (
    select * from {{ ref('stg_forecast__monte_carlo_month') }}
    where month between {{ window_start() }} and {{ window_end() }}
)

select
    inputs.month,
    inputs.project_id,
    inputs.as_of,
    inputs.method,
    inputs.work_unit,
    inputs.remaining_work,
    -- the weeks (agile plans) or months (schedule plans) of history sampled
    case when inputs.method = 'throughput' then forecasts.history_periods end as history_weeks,
    case when inputs.method = 'earned_schedule' then forecasts.history_periods end as history_months,
    forecasts.trials,
    forecasts.forecast_seed,
    forecasts.p50_finish,
    forecasts.p85_finish,
    forecasts.p95_finish,
    forecasts.prob_by_baseline_finish,
    forecasts.prob_by_go_live,
    inputs.baseline_finish,
    inputs.go_live_date,
    inputs.ieac_t_finish,
    -- a project the step did not forecast (it ran on another window) has no forecast, and says so
    coalesce(forecasts.forecast_status, 'insufficient history') as forecast_status,
    case
        when forecasts.forecast_status is null then 'the forecast step did not run on this month'
        else forecasts.status_reason
    end as status_reason
from inputs
left join forecasts
    on forecasts.month = inputs.month
    and forecasts.project_id = inputs.project_id
