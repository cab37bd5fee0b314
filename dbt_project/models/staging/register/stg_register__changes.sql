with source as (
    select * from {{ source('raw', 'changes') }}
),

deduplicated as (
    select *
    from source
    qualify row_number() over (
            partition by snapshot_month, cr_id order by source_row desc
        ) = 1
)

select
    snapshot_month,
    cr_id,
    project_id,
    title as cr_title,
    submitted_date,
    decided_date,
    decision,
    cost_impact,
    schedule_impact_days,
    source_file,
    source_row
from deduplicated
