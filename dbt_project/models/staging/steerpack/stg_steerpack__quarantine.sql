with source as (
    select * from {{ source('raw', 'quarantine') }}
)

select
    snapshot_month,
    source as data_source,
    source_file,
    source_row,
    table_name,
    reason,
    raw_record,
    record_key
from source
