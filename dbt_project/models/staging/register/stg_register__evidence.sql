-- Optional register sheet Evidence (DESIGN §3), one row per loaded sheet row: renamed only.
with source as (
    select * from {{ source('raw', 'evidence') }}
),

renamed as (
    select
        snapshot_month,
        project_id,
        control as evidence_control,
        artifact as evidence_artifact,
        required as is_required,
        status as evidence_status,
        due_date,
        source_file,
        source_row
    from source
)

select * from renamed
