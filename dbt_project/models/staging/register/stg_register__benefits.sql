with source as (
    select * from {{ source('raw', 'benefits') }}
),

deduplicated as (
    select *
    from source
    qualify row_number() over (
            partition by snapshot_month, benefit_id order by source_row desc
        ) = 1
)

select
    snapshot_month,
    benefit_id,
    project_id,
    description as benefit_description,
    owner as benefit_owner,
    metric,
    baseline_value,
    target_value,
    target_date,
    tracking_start,
    source_file,
    source_row
from deduplicated
