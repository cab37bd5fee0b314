{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='month'
    )
}}

-- The rows each month's drop could not load, with their reasons: the evidence behind the data-quality page.
with months as (
    {{ window_months() }}
),

quarantine as (
    select * from {{ ref('stg_steerpack__quarantine') }}
)

select
    months.month,
    quarantine.data_source as source,
    quarantine.source_file,
    quarantine.source_row,
    quarantine.table_name,
    quarantine.reason
from months
inner join quarantine
    on quarantine.snapshot_month = months.month
