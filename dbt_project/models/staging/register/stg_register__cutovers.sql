-- Optional register sheet Cutovers (DESIGN §3), one row per loaded sheet row: renamed only.
with source as (
    select * from {{ source('raw', 'cutovers') }}
),

renamed as (
    select
        snapshot_month,
        project_id,
        release as release_name,
        planned_date as cutover_planned_date,
        actual_date as cutover_actual_date,
        outcome as cutover_outcome,
        source_file,
        source_row
    from source
)

select * from renamed
