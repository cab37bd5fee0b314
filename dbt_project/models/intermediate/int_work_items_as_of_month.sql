-- Each window month's work items from both agile tools: per item, its row in the latest export at or before
-- the month, mapped to the register's project (Jira by project key, Azure DevOps by area path prefix).
with jira_items as (
    select
        snapshot_month, work_item_source, item_key, jira_project_key as plan_key, item_type, item_status,
        status_category, resolution, is_out_of_scope, is_done, story_points, created_at, resolved_at, due_date,
        parent_key, source_file, source_row
    from {{ ref('stg_jira__work_items') }}
),

azure_devops_items as (
    select
        snapshot_month, work_item_source, item_key, area_path as plan_key, item_type, item_status,
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
    {{ as_of_latest_per_key('unioned', ['work_item_source', 'item_key']) }}
),

projects as (
    select month, project_id, plan_source, plan_key
    from {{ ref('int_projects_as_of_month') }}
    where plan_source in ('jira', 'azure_devops')
)

select
    projects.project_id,
    items_as_of.*
from items_as_of
left join projects
    on projects.month = items_as_of.month
    and projects.plan_source = items_as_of.work_item_source
    and (
        items_as_of.plan_key = projects.plan_key
        or (
            items_as_of.work_item_source = 'azure_devops'
            and starts_with(items_as_of.plan_key, projects.plan_key || '\')
        )
    )
