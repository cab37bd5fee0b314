with source as (
    select * from {{ source('raw', 'fx_rates') }}
),

deduplicated as (
    select *
    from source
    qualify row_number() over (
            partition by snapshot_month, month, currency order by source_file desc, source_row desc
        ) = 1
)

select
    snapshot_month,
    month as rate_month,
    currency,
    rate_to_base,
    source_file,
    source_row
from deduplicated
