{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='month'
    )
}}

-- Post-go-live incidents per live project and month (int_post_golive_incidents; DESIGN §5).
with post_golive_incidents as (
    select * from {{ ref('int_post_golive_incidents') }}
)

select
    project_id,
    month,
    go_live_actual,
    window_days,
    incidents_total,
    p1_count,
    p2_count,
    open_count,
    mttr_hours,
    incidents_per_week,
    baseline_per_week,
    defect_leakage_pct,
    is_in_window
from post_golive_incidents
