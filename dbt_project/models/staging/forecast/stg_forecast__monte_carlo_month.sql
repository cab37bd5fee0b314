with source as (
    select * from {{ source('forecast', 'monte_carlo_month') }}
)

select
    month,
    project_id,
    method,
    history_periods,
    trials,
    forecast_seed,
    p50_finish,
    p85_finish,
    p95_finish,
    prob_by_baseline_finish,
    prob_by_go_live,
    forecast_status,
    status_reason
from source
