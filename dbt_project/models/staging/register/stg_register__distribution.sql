with source as (
    select * from {{ source('raw', 'distribution') }}
),

deduplicated as (
    select *
    from source
    qualify row_number() over (
            partition by snapshot_month, lower(email) order by source_row desc
        ) = 1
)

select
    snapshot_month,
    lower(email) as recipient_email,
    name as recipient_name,
    role as recipient_role,
    scope as recipient_scope,
    source_file,
    source_row
from deduplicated
