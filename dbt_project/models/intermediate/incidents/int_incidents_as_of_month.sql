-- Each window month's incidents from every ITSM tool: per incident, its latest state in the latest export at
-- or before the month, mapped to the projects whose register `services` name its service or CI
-- (case-insensitive). An incident on a shared service maps to each project that runs it.
with incidents as (
    select * from {{ ref('stg_servicenow__incidents') }}
    union all
    select * from {{ ref('stg_pagerduty__incidents') }}
    union all
    select * from {{ ref('stg_jira_service_management__incidents') }}
),

incidents_as_of as (
    {{ as_of_latest_per_key('incidents', ['incident_source', 'incident_id'], 'incidents') }}
),

project_services as (
    select
        projects.month,
        projects.project_id,
        lower(trim(services.service_name)) as service_key
    from {{ ref('int_projects_as_of_month') }} as projects,
        unnest(string_split(projects.services, ';')) as services (service_name)
    where trim(services.service_name) <> ''
),

-- An incident's service and CI as rows, so the mapping is an equality (a hash join), not an IN over columns.
incident_service_keys as (
    select month, incident_source, incident_id, lower(trim(service)) as service_key
    from incidents_as_of
    where service is not null
    union
    select month, incident_source, incident_id, lower(trim(cmdb_ci)) as service_key
    from incidents_as_of
    where cmdb_ci is not null
),

mapped as (
    select distinct
        project_services.project_id,
        incident_service_keys.month,
        incident_service_keys.incident_source,
        incident_service_keys.incident_id
    from incident_service_keys
    inner join project_services
        on project_services.month = incident_service_keys.month
        and project_services.service_key = incident_service_keys.service_key
)

select
    mapped.project_id,
    incidents_as_of.*
from incidents_as_of
left join mapped
    on mapped.month = incidents_as_of.month
    and mapped.incident_source = incidents_as_of.incident_source
    and mapped.incident_id = incidents_as_of.incident_id
