with source as (
    select * from {{ source('raw', 'milestones') }}
),

deduplicated as (
    select *
    from source
    qualify row_number() over (
            partition by snapshot_month, project_id, milestone order by source_row desc
        ) = 1
)

select
    snapshot_month,
    project_id,
    milestone as milestone_name,
    baseline_date,
    forecast_date,
    actual_date,
    -- optional column (DESIGN §3): the vendor delivering the milestone, for vendor delivery
    vendor as milestone_vendor,
    source_file,
    source_row
from deduplicated
