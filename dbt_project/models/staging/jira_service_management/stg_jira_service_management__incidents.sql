with source as (
    select * from {{ source('raw', 'incidents') }}
    where source = 'jira_service_management'
),

latest_state as (
    -- an incident listed twice in one export (or, in an event log, once per state change): its latest state
    select *
    from source
    qualify row_number() over (
        partition by snapshot_month, incident_id
        order by modification_count desc nulls last, updated_at desc nulls last, source_row desc
    ) = 1
)

select
    snapshot_month,
    'jira_service_management' as incident_source,
    incident_id,
    title as incident_title,
    priority,
    state as incident_state,
    opened_at,
    resolved_at,
    closed_at,
    service,
    cmdb_ci,
    assignment_group,
    caused_by,
    source_file,
    source_row
from latest_state
