-- Why a live project's post-go-live incidents cannot be measured in a month its window overlaps (DESIGN §5): no
-- `services` in the register (no incident maps to it), or no incident export ever arrived (no readable file of an
-- ITSM tool in this or an earlier drop that may serve the month). One row per reason; int_project_rag grades such
-- a project's incidents Unknown, never Green, and int_project_data_gaps lists the reason.
with in_window as (
    -- the window as the grading reads it (int_project_month_measures takes is_in_incident_window from here)
    select month, project_id
    from {{ ref('int_post_golive_incidents') }}
    where is_in_window
),

project_services as (
    select distinct
        projects.month,
        projects.project_id
    from {{ ref('int_projects_as_of_month') }} as projects,
        unnest(string_split(projects.services, ';')) as services (service_name)
    where trim(services.service_name) <> ''
),

incident_loads as (
    -- snapshot months with a readable export of an incident tool (an empty export counts: it says "no incidents")
    select distinct snapshot_month
    from {{ ref('stg_steerpack__load_log') }}
    where data_source in ('servicenow', 'pagerduty', 'jira_service_management')
        and file_error is null
),

incident_sources as (
    -- months an incident export serves, as int_incidents_as_of_month reads them (never a blocked month's, but for
    -- that month itself)
    select distinct in_window.month
    from in_window
    inner join incident_loads
        on incident_loads.snapshot_month <= in_window.month
    where {{ serves_month('incident_loads.snapshot_month', 'in_window.month', 'incidents') }}
)

select
    in_window.month,
    in_window.project_id,
    'incidents not measured: no services in the register' as gap
from in_window
left join project_services
    on project_services.month = in_window.month
    and project_services.project_id = in_window.project_id
where project_services.project_id is null

union all

select
    in_window.month,
    in_window.project_id,
    'incidents not measured: no incident export (servicenow, pagerduty or jira_service_management) '
    || 'in this or an earlier drop' as gap
from in_window
left join incident_sources
    on incident_sources.month = in_window.month
where incident_sources.month is null
