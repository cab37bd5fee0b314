{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='month'
    )
}}

-- Benefits readiness per benefit and month: the five checks of int_benefit_checks (DESIGN §5).
with benefit_checks as (
    select * from {{ ref('int_benefit_checks') }}
)

select
    project_id,
    month,
    benefit_id,
    benefit_description,
    benefit_owner,
    metric,
    go_live_date,
    tracking_start,
    has_owner,
    has_metric,
    has_baseline_value,
    has_target_with_date,
    tracking_starts_by_go_live,
    checks_met,
    readiness_score
from benefit_checks
