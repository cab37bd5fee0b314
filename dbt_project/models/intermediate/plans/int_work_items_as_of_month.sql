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
),

-- DESIGN §5, which items count: Jira's standard issue types and Azure DevOps' requirement-level types; never a
-- container (Epic, Feature, Initiative) nor a child (a Sub-task, or a Task under a counted item), which would
-- count the same work twice. The vars jira_counted_issue_types and azure_devops_counted_work_item_types
-- (jira.counted_issue_types, azure_devops.counted_work_item_types) replace the default types; compared without
-- case; an item without a type counts.
{%- set jira_types = var('jira_counted_issue_types', none) %}
{%- set jira_list = (jira_types or ['Epic', 'Feature', 'Initiative', 'Sub-task', 'Subtask'])
    | map('lower') | map('replace', "'", "''") | join("', '") %}
{%- set azure_devops_list = var(
        'azure_devops_counted_work_item_types',
        ['User Story', 'Product Backlog Item', 'Requirement', 'Issue', 'Bug'],
    ) | map('lower') | map('replace', "'", "''") | join("', '") %}
typed as (
    select
        *,
        case
            when item_type is null then true
            -- by default every Jira type counts but the containers and sub-tasks
            when work_item_source = 'jira'
                then lower(trim(item_type)) {{ 'in' if jira_types else 'not in' }} ('{{ jira_list }}')
            else lower(trim(item_type)) in ('{{ azure_devops_list }}')
        end as is_counted_type
    from mapped
),

counted_parents as (
    -- a parent is named by its key or its id (Jira's Parent column holds the id)
    select distinct typed.month, typed.work_item_source, parent_ref.ref
    from typed,
        unnest([typed.item_key, typed.item_id]) as parent_ref (ref)
    where typed.is_counted_type and parent_ref.ref is not null
)

select
    typed.*,
    typed.is_counted_type
    and not (
        counted_parents.ref is not null
        and lower(trim(typed.item_type)) in ('task', 'sub-task', 'subtask')
    ) as is_counted
from typed
left join counted_parents
    on counted_parents.month = typed.month
    and counted_parents.work_item_source = typed.work_item_source
    and counted_parents.ref = typed.parent_key
