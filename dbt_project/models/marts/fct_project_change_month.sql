{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='month'
    )
}}

-- What changed since the previous month, per project: grade moves, new reds, slip growth. Read from
-- fct_project_month's history, so a one-month run still compares with the month before it.
with project_months as (
    select project_id, month, rag_overall, slip_days, cost_overrun_pct
    from {{ ref('fct_project_month') }}
    where month between cast(cast('{{ var("month_start") }}' as date) - interval 1 month as date)
        and cast('{{ var("month_end") }}' as date)
),

compared as (
    select
        project_id,
        month,
        rag_overall,
        lag(rag_overall) over (partition by project_id order by month) as previous_rag_overall,
        lag(month) over (partition by project_id order by month) as previous_month,
        slip_days,
        slip_days - lag(slip_days) over (partition by project_id order by month) as slip_days_change,
        cost_overrun_pct - lag(cost_overrun_pct) over (partition by project_id order by month)
            as cost_overrun_pct_change
    from project_months
)

select
    project_id,
    month,
    rag_overall,
    case when previous_month = cast(month - interval 1 month as date) then previous_rag_overall end
        as previous_rag_overall,
    previous_month = cast(month - interval 1 month as date) and previous_rag_overall is distinct from rag_overall
        as rag_moved,
    rag_overall = 'Red' and (previous_month is null or previous_rag_overall is distinct from 'Red') as is_new_red,
    case when previous_month = cast(month - interval 1 month as date) then slip_days_change end as slip_days_change,
    case when previous_month = cast(month - interval 1 month as date) then cost_overrun_pct_change end
        as cost_overrun_pct_change
from compared
where month between cast('{{ var("month_start") }}' as date) and cast('{{ var("month_end") }}' as date)
