-- The data gap of Azure DevOps items in a state with no category: neither a built-in state of the Basic, Agile,
-- Scrum or CMMI process nor in `azure_devops.state_categories` (nor in a State Category column). Such items count
-- as not done (DESIGN §5), never silently: the quality gate warns per file, and each project they map to says
-- so on its page, per state.
select
    month,
    project_id,
    count(*) || ' Azure DevOps item(s) in unmapped state ''' || item_status
    || ''' counted as not done (add it to azure_devops.state_categories)' as gap
from {{ ref('int_work_items_as_of_month') }}
where
    work_item_source = 'azure_devops'
    and project_id is not null
    and item_status is not null
    and status_category is null
group by month, project_id, item_status
