-- Optional register sheet Readiness (DESIGN §3), one row per loaded sheet row: renamed only.
with source as (
    select * from {{ source('raw', 'readiness') }}
),

renamed as (
    select
        snapshot_month,
        project_id,
        release as release_name,
        area as readiness_area,
        item as readiness_item,
        status as readiness_status,
        due_date,
        source_file,
        source_row
    from source
)

select * from renamed
