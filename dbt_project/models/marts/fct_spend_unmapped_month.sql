{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='month'
    )
}}

-- Spend whose code maps to no project in the register: kept, and shown to the PMO so it can be fixed.
with spend as (
    select * from {{ ref('int_spend_converted') }}
    where project_id is null
)

select
    month,
    coalesce(project_code, '(no code)') as project_code,
    count(*) as spend_lines,
    sum(amount_base) as amount_base,
    min(posting_date) as first_posting_date,
    max(posting_date) as last_posting_date
from spend
group by month, coalesce(project_code, '(no code)')
