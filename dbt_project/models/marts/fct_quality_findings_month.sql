{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='month'
    )
}}

-- The data-quality rules that failed on each month's drop: a published month's are warnings (an error blocks
-- the month), shown on the pack's data-quality page so readers see what was let through.
with months as (
    {{ window_months() }}
),

findings as (
    select * from {{ ref('stg_steerpack__quality_findings') }}
)

select
    months.month,
    findings.table_name,
    findings.rule_name,
    findings.severity,
    findings.failed_rows,
    findings.rule_description
from months
inner join findings
    on findings.snapshot_month = months.month
