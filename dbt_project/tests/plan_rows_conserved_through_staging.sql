-- DESIGN §4: rows are conserved through the transform. Every plan row a file loaded reaches its staging model,
-- or its issue (task) does through another row of the same month's exports: the same key listed twice, in one
-- file or in two overlapping exports. Any other loss (the demo's three Jira exports numbered from the same Issue
-- id once replaced each other's items) fails here, naming the file and what it lost.
with loaded_rows as (
    select
        snapshot_month,
        source as plan_source,
        source_file,
        item_key as row_key
    from {{ source('raw', 'work_items') }}
    where snapshot_month between {{ window_start() }} and {{ window_end() }}

    union all

    select
        snapshot_month,
        source as plan_source,
        source_file,
        plan_key || ' task ' || cast(task_uid as varchar) as row_key
    from {{ source('raw', 'schedule_tasks') }}
    where snapshot_month between {{ window_start() }} and {{ window_end() }}
),

staged_rows as (
    select snapshot_month, work_item_source as plan_source, item_key as row_key
    from {{ ref('stg_jira__work_items') }}
    union all
    select snapshot_month, work_item_source as plan_source, item_key as row_key
    from {{ ref('stg_azure_devops__work_items') }}
    union all
    select snapshot_month, plan_source, plan_key || ' task ' || cast(task_uid as varchar) as row_key
    from {{ ref('stg_ms_project__tasks') }}
    union all
    select snapshot_month, plan_source, plan_key || ' task ' || cast(task_uid as varchar) as row_key
    from {{ ref('stg_smartsheet__tasks') }}
),

staged_keys as (
    select distinct
        snapshot_month,
        plan_source,
        row_key
    from staged_rows
    where snapshot_month between {{ window_start() }} and {{ window_end() }}
),

per_file as (
    select
        loaded_rows.snapshot_month,
        loaded_rows.source_file,
        count(*) as rows_loaded,
        count(staged_keys.row_key) as rows_reaching_staging,
        min(case when staged_keys.row_key is null then loaded_rows.row_key end) as first_lost_key
    from loaded_rows
    left join staged_keys
        on loaded_rows.snapshot_month = staged_keys.snapshot_month
        and loaded_rows.plan_source = staged_keys.plan_source
        and loaded_rows.row_key = staged_keys.row_key
    group by loaded_rows.snapshot_month, loaded_rows.source_file
)

select
    snapshot_month,
    source_file,
    rows_loaded,
    rows_reaching_staging,
    first_lost_key,
    source_file || ': ' || rows_loaded || ' rows loaded, ' || rows_reaching_staging
    || ' reach staging; lost without a reason, e.g. ' || first_lost_key as failure
from per_file
where rows_reaching_staging < rows_loaded
