-- Optional register sheet Surveys (DESIGN §3), one row per loaded sheet row (one respondent's score to one
-- question): renamed only. A blank project_id is a portfolio-wide survey.
with source as (
    select * from {{ source('raw', 'surveys') }}
),

renamed as (
    select
        snapshot_month,
        survey_date,
        project_id,
        respondent_group,
        question as survey_question,
        cast(score as integer) as survey_score,
        source_file,
        source_row
    from source
)

select * from renamed
