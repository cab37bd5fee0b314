with source as (
    select * from {{ source('raw', 'work_items') }}
    where source = 'jira'
),

known_ids as (
    -- rows loaded before item_id existed have none: they take the id a later export gave their key, so an old
    -- snapshot and a new one hold one item, not two
    select item_key, max(item_id) as known_item_id
    from source
    where item_id is not null
    group by item_key
),

identified as (
    select
        source.* exclude (item_id),
        coalesce(source.item_id, known_ids.known_item_id, source.item_key) as item_id
    from source
    left join known_ids
        on known_ids.item_key = source.item_key
),

deduplicated as (
    -- an issue exported twice in one file: the later row wins (keyed on Issue id, which a move keeps)
    select *
    from identified
    qualify row_number() over (partition by snapshot_month, item_id order by source_row desc) = 1
),

renamed as (
    select
        snapshot_month,
        'jira' as work_item_source,
        item_key,
        item_id,
        plan_key as jira_project_key,
        item_type,
        summary as item_summary,
        status as item_status,
        status_category,
        resolution,
        -- DESIGN §5: these resolutions take an item out of scope
        coalesce(resolution in ('Won''t Do', 'Duplicate', 'Cancelled', 'Removed'), false) as is_out_of_scope,
        story_points,
        created_at,
        resolved_at,
        due_date,
        parent_key,
        sprint,
        labels,
        source_file,
        source_row
    from deduplicated
)

select
    *,
    (status_category = 'Done' and not is_out_of_scope) as is_done
from renamed
