with source as (
    select * from {{ source('raw', 'load_log') }}
)

select
    snapshot_month,
    source as data_source,
    source_file,
    table_name,
    file_format,
    rows_read,
    rows_loaded,
    rows_quarantined,
    error as file_error,
    notes as file_notes
from source
