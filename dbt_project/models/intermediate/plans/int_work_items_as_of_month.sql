-- Each window month's work items from both agile tools: per item, its row in the latest export at or before
-- the month, mapped to the register's project (Jira by project key, Azure DevOps by area path prefix).
with jira_items as (
    select
        snapshot_month, work_item_source, item_key, item_id, jira_project_key as plan_key, item_type, item_status,
        status_category, resolution, is_out_of_scope, is_done, story_points, created_at, resolved_at, due_date,
        parent_key, source_file, source_row
    from {{ ref('stg_jira__work_items') }}
),

azure_devops_items as (
    select
        snapshot_month, work_item_source, item_key, item_id, area_path as plan_key, item_type, item_status,
        status_category, resolution, is_out_of_scope, is_done, story_points, created_at, resolved_at, due_date,
        parent_key, source_file, source_row
    from {{ ref('stg_azure_devops__work_items') }}
),

unioned as (
    select * from jira_items
    union all
    select * from azure_devops_items
),

items_as_of as (
    -- per item, keyed on its id: an item moved to another project (PAY-12 -> CRM-40) is one item, in the
    -- project of its latest snapshot
    {{ as_of_latest_per_key('unioned', ['work_item_source', 'item_id'], 'plans') }}
),

projects as (
    select month, project_id, plan_source, plan_key
    from {{ ref('int_projects_as_of_month') }}
    where not is_schedule_plan
),

-- The keys an item may map by, each an equality so the join is a hash join (an OR or a prefix test in the join
-- would compare every item with every project): a Jira item's project key; an Azure DevOps item's area path
-- and every path above it.
items_with_plan_keys as (
    select
        items_as_of.*,
        unnest(
            case
                when items_as_of.work_item_source = 'azure_devops' and items_as_of.plan_key is not null
                    then [
                            -- (depth is the list comprehension's own variable, which sqlfluff takes for a column)
                            array_to_string(string_split(items_as_of.plan_key, '\')[1:depth], '\')  -- noqa: RF03
                            for depth in range(1, len(string_split(items_as_of.plan_key, '\')) + 1)
                        ]
                else [items_as_of.plan_key]
            end
        ) as mapped_plan_key
    from items_as_of
),

-- One row per item: the project of the deepest matching area path, or no project at all.
mapped as (
    select
        projects.project_id,
        -- (sqlfluff reads the column DuckDB's `* exclude` names as an unqualified reference)
        items_with_plan_keys.* exclude (mapped_plan_key)  -- noqa: RF02
    from items_with_plan_keys
    left join projects
        on projects.month = items_with_plan_keys.month
        and projects.plan_source = items_with_plan_keys.work_item_source
        and projects.plan_key = items_with_plan_keys.mapped_plan_key
    qualify row_number() over (
            partition by items_with_plan_keys.month, items_with_plan_keys.work_item_source, items_with_plan_keys.item_id
            order by projects.project_id is null, length(items_with_plan_keys.mapped_plan_key) desc
        ) = 1
)

select * from mapped
