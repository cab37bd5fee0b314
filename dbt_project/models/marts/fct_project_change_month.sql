{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='month'
    )
}}

-- What changed since the previous month, per project: grade moves, new reds, slip growth. Read from
-- fct_project_month's history, so a one-month run still compares with the month before it. fct_portfolio_month
-- counts its moves from here. An incremental run also rebuilds the month after the window, when
-- fct_project_month holds it: its comparisons are with the window's last month (audit N15).
{% set last_month = next_month(window_end()) if is_incremental() else window_end() %}
with project_months as (
    select project_id, month, rag_overall, slip_days, cost_overrun_pct
    from {{ ref('fct_project_month') }}
    where month between {{ previous_month(window_start()) }} and {{ last_month }}
),

compared as (
    select
        project_id,
        month,
        rag_overall,
        lag(rag_overall) over by_project as previous_rag_overall,
        lag(month) over by_project as previous_month,
        -- a comparison needs the month just before: after a gap there is nothing to compare with
        lag(month) over by_project = {{ previous_month('month') }} as has_previous_month,
        slip_days,
        slip_days - lag(slip_days) over by_project as slip_days_change,
        cost_overrun_pct - lag(cost_overrun_pct) over by_project as cost_overrun_pct_change
    from project_months
    window by_project as (partition by project_id order by month)
),

changes as (
    select
        project_id,
        month,
        rag_overall,
        case when has_previous_month then previous_rag_overall end as previous_rag_overall,
        coalesce(has_previous_month, false) as has_previous_month,
        has_previous_month and (previous_rag_overall is distinct from rag_overall) as rag_moved,
        rag_overall = 'Red' and (previous_month is null or (previous_rag_overall is distinct from 'Red')) as is_new_red,
        case when has_previous_month then slip_days_change end as slip_days_change,
        case when has_previous_month then cost_overrun_pct_change end as cost_overrun_pct_change
    from compared
    where month between {{ window_start() }} and {{ last_month }}
)

select
    project_id,
    month,
    rag_overall,
    previous_rag_overall,
    has_previous_month,
    rag_moved,
    is_new_red,
    slip_days_change,
    cost_overrun_pct_change,
    -- what the pack reports as changed since last month: a grade move, a new red, or a slip that grew
    coalesce(rag_moved or is_new_red or slip_days_change > 0, false) as changed_since_last_month
from changes
