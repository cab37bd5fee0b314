with source as (
    select * from {{ source('raw', 'work_items') }}
    where source = 'jira'
),

deduplicated as (
    -- an issue exported twice in one file: the later row wins (keyed on Issue id, which a move keeps)
    select *
    from source
    qualify row_number() over (partition by snapshot_month, coalesce(item_id, item_key) order by source_row desc) = 1
),

renamed as (
    select
        snapshot_month,
        'jira' as work_item_source,
        item_key,
        -- a warehouse loaded before item_id existed keys its rows on the key
        coalesce(item_id, item_key) as item_id,
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
