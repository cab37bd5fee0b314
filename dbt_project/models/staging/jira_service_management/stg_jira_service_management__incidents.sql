-- jira_service_management incidents, one row per incident and export month in its latest state within that export.
{{ stg_incidents('jira_service_management') }}
