{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='month'
    )
}}

-- One row per project and month. Re-running a window replaces exactly the window's months.
with projects as (
    select * from {{ ref('int_projects_as_of_month') }}
)

select
    project_id,
    month,
    {{ month_end_date('month') }} as as_of,
    project_name,
    tier,
    phase,
    reported_status,
    baseline_start,
    baseline_finish,
    go_live_planned,
    go_live_actual,
    snapshot_month as register_snapshot_month
from projects
