-- Optional register sheet UAT (DESIGN §3), one row per loaded sheet row: renamed only.
with source as (
    select * from {{ source('raw', 'uat') }}
),

renamed as (
    select
        snapshot_month,
        project_id,
        release as release_name,
        as_of_date as uat_as_of_date,
        cast(cases_planned as integer) as cases_planned,
        cast(cases_executed as integer) as cases_executed,
        cast(cases_passed as integer) as cases_passed,
        source_file,
        source_row
    from source
)

select * from renamed
