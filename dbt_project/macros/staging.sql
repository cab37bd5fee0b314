{#
  Staging of a canonical table that several tools feed (the parsers already map each tool to the same
  columns): one source's rows, one row per natural key and snapshot.
#}

{% macro stg_incidents(tool) -%}
with source as (
    select * from {{ source('raw', 'incidents') }}
    where source = '{{ tool }}'
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
    '{{ tool }}' as incident_source,
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
{%- endmacro %}

{% macro stg_schedule_tasks(tool) -%}
with source as (
    select * from {{ source('raw', 'schedule_tasks') }}
    where source = '{{ tool }}'
),

deduplicated as (
    select *
    from source
    qualify row_number() over (partition by snapshot_month, plan_key, task_uid order by source_row desc) = 1
)

select
    snapshot_month,
    '{{ tool }}' as plan_source,
    plan_key,
    task_uid,
    task_name,
    outline_level,
    is_summary,
    is_milestone,
    start_date,
    finish_date,
    baseline_start,
    baseline_finish,
    baseline_cost,
    -- raw holds 0-100 for both tools; the KPIs work in fractions
    percent_complete / 100.0 as percent_complete_fraction,
    cost,
    actual_cost,
    actual_finish,
    -- MS Project's Critical flag (MSPDI); null for a tool without one (Smartsheet) and a file without the element
    is_critical,
    source_file,
    source_row
from deduplicated
{%- endmacro %}
