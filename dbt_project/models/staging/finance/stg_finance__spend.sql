with source as (
    select * from {{ source('raw', 'spend') }}
),

deduplicated as (
    -- a line listed twice in one extract counts once
    select *
    from source
    qualify row_number() over (
            partition by snapshot_month, document_id, line_no order by source_file desc, source_row desc
        ) = 1
)

select
    snapshot_month,
    document_id,
    line_no,
    posting_date,
    cast(date_trunc('month', posting_date) as date) as posting_month,
    project_code,
    amount as amount_local,
    currency,
    supplier,
    description as spend_description,
    cost_type,
    source_file,
    source_row
from deduplicated
