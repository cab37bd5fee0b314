with source as (
    select * from {{ source('raw', 'work_items') }}
    where source = 'azure_devops'
),

deduplicated as (
    select *
    from source
    qualify row_number() over (partition by snapshot_month, coalesce(item_id, item_key) order by source_row desc) = 1
),

renamed as (
    select
        snapshot_month,
        'azure_devops' as work_item_source,
        item_key,
        -- a warehouse loaded before item_id existed keys its rows on the key
        coalesce(item_id, item_key) as item_id,
        area_path,
        item_type,
        summary as item_summary,
        status as item_status,
        status_category,
        resolution,
        -- DESIGN §5: category Removed is out of scope; Done (Completed, and Resolved while
        -- resolved_counts_as_done) is done; a state with no category (null) is neither: not done
        coalesce(status_category = 'Removed', false) as is_out_of_scope,
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
    coalesce(status_category = 'Done', false) as is_done
from renamed
