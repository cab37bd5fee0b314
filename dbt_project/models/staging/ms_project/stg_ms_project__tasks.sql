with source as (
    select * from {{ source('raw', 'schedule_tasks') }}
    where source = 'ms_project'
),

deduplicated as (
    select *
    from source
    qualify row_number() over (partition by snapshot_month, plan_key, task_uid order by source_row desc) = 1
)

select
    snapshot_month,
    'ms_project' as plan_source,
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
    source_file,
    source_row
from deduplicated
