with source as (
    select * from {{ source('raw', 'raid') }}
),

deduplicated as (
    select *
    from source
    qualify row_number() over (
            partition by snapshot_month, raid_id order by source_row desc
        ) = 1
)

select
    snapshot_month,
    raid_id,
    project_id,
    type as raid_type,
    title as raid_title,
    owner as raid_owner,
    severity,
    status as raid_status,
    -- open until closed or mitigated; no status at all is open
    coalesce(status, 'Open') not in ('Closed', 'Mitigated') as is_open,
    raised_date,
    last_updated,
    due_date,
    source_file,
    source_row
from deduplicated
