-- Optional register sheet Decisions (DESIGN §3), one row per loaded sheet row: renamed only. The parser
-- quarantines a row without its key or repeating one, so decision_id is unique within a snapshot.
with source as (
    select * from {{ source('raw', 'decisions') }}
),

renamed as (
    select
        snapshot_month,
        decision_id,
        project_id,
        title as decision_title,
        owner as decision_owner,
        raised_date,
        needed_by as needed_by_date,
        decided_date,
        outcome as decision_outcome,
        source_file,
        source_row
    from source
)

select * from renamed
