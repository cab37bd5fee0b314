with source as (
    select * from {{ source('raw', 'quality_findings') }}
)

select
    snapshot_month,
    table_name,
    rule as rule_name,
    severity,
    failed_rows,
    description as rule_description
from source
