{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='month'
    )
}}

-- Per month and source: which snapshot the month's numbers use, how many rows it had, and whether the month's
-- own drop lacked the source (then an earlier snapshot serves, and the pack says so).
with months as (
    {{ window_months() }}
),

load_log as (
    select * from {{ ref('stg_steerpack__load_log') }}
),

per_snapshot as (
    select
        snapshot_month,
        data_source,
        count(distinct source_file) as files,
        count(distinct case when file_error is not null then source_file end) as unreadable_files,
        sum(rows_read) as rows_read,
        sum(rows_loaded) as rows_loaded,
        sum(rows_quarantined) as rows_quarantined
    from load_log
    group by snapshot_month, data_source
),

chosen as (
    select
        months.month,
        per_snapshot.data_source,
        max(per_snapshot.snapshot_month) as snapshot_month_used
    from months
    inner join per_snapshot
        on per_snapshot.snapshot_month <= months.month
    group by months.month, per_snapshot.data_source
)

select
    chosen.month,
    chosen.data_source as source,
    chosen.snapshot_month_used,
    chosen.snapshot_month_used < chosen.month as is_missing,
    {{ dbt.datediff('chosen.snapshot_month_used', 'chosen.month', 'month') }} as months_stale,
    per_snapshot.files,
    per_snapshot.unreadable_files,
    per_snapshot.rows_read,
    per_snapshot.rows_loaded,
    per_snapshot.rows_quarantined
from chosen
inner join per_snapshot
    on per_snapshot.snapshot_month = chosen.snapshot_month_used
    and per_snapshot.data_source = chosen.data_source
