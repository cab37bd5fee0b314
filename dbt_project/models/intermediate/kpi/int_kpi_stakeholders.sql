-- The stakeholder KPIs of DESIGN §5a, stakeholder_csat and team_friction, per window month and project and for
-- the portfolio (the KPI intermediate contract: fct_kpi_scorecard_month joins the targets and grades them).
-- Both read the Surveys sheet of the register serving the month; the sheet keeps every past survey, so the
-- quarter before is read from the same register as the trailing quarter.
-- The trailing quarter is the three calendar months ending with the month (survey_date after as_of - 3 months
-- taken on month ends, at most as_of); the quarter before is the three months ahead of it.
with projects as (
    select
        month,
        project_id,
        as_of
    from {{ ref('int_projects_as_of_month') }}
),

surveys as (
    select
        month,
        -- a blank project_id is a portfolio-wide survey (DESIGN §3)
        nullif(trim(project_id), '') as project_id,
        lower(respondent_group) as respondent_group,
        survey_date,
        survey_score
    from {{ ref('int_surveys_as_of_month') }}
),

window_months as (
    -- int_projects_as_of_month holds the window's months only: the surveys' month before the window emits nothing
    select distinct
        month,
        as_of
    from projects
),

project_surveys as (
    select
        projects.month,
        projects.project_id,
        projects.as_of,
        surveys.respondent_group,
        surveys.survey_date,
        surveys.survey_score
    from projects
    inner join surveys
        on projects.month = surveys.month
        and projects.project_id = surveys.project_id
),

portfolio_surveys as (
    -- the portfolio pools the listed projects' surveys and the portfolio-wide ones; a survey of a project the
    -- month's register no longer lists is left out, as it is of every project row
    select
        window_months.month,
        cast(null as varchar) as project_id,
        window_months.as_of,
        surveys.respondent_group,
        surveys.survey_date,
        surveys.survey_score
    from window_months
    inner join surveys
        on window_months.month = surveys.month
    left join projects
        on surveys.month = projects.month
        and surveys.project_id = projects.project_id
    where surveys.project_id is null or projects.project_id is not null
),

scoped_surveys as (
    select * from project_surveys
    union all
    select * from portfolio_surveys
),

quartered as (
    select
        month,
        project_id,
        respondent_group,
        survey_score,
        (
            survey_date >= cast({{ dbt.dateadd('month', -2, 'month') }} as date)
            and survey_date <= as_of
        ) as is_trailing_quarter,
        (
            survey_date >= cast({{ dbt.dateadd('month', -5, 'month') }} as date)
            and survey_date < cast({{ dbt.dateadd('month', -2, 'month') }} as date)
        ) as is_quarter_before
    from scoped_surveys
),

quarter_means as (
    -- one row per month and project (project_id null: the portfolio) that has any survey row
    select
        month,
        project_id,
        count(case when respondent_group = 'stakeholder' and is_trailing_quarter then survey_score end)
            as stakeholder_responses,
        avg(case
            when respondent_group = 'stakeholder' and is_trailing_quarter
                then cast(survey_score as double precision)
        end) as stakeholder_mean,
        avg(case
            when respondent_group = 'team' and is_trailing_quarter then cast(survey_score as double precision)
        end) as team_mean,
        avg(case
            when respondent_group = 'team' and is_quarter_before then cast(survey_score as double precision)
        end) as team_mean_before
    from quartered
    group by month, project_id
),

stakeholder_csat as (
    select
        month,
        project_id,
        'stakeholder_csat' as kpi,
        stakeholder_mean as kpi_value,
        cast(null as double precision) as kpi_numerator,
        cast(null as double precision) as kpi_denominator,
        case
            when stakeholder_responses > 0 then cast(stakeholder_responses as double precision)
        end as secondary_value,
        case
            when stakeholder_mean is null then 'no stakeholder survey in the last three months'
        end as not_tracked_reason
    from quarter_means
),

team_friction as (
    select
        month,
        project_id,
        'team_friction' as kpi,
        -- rounded so a change of exactly -0.2 (3.6 against 3.8) compares as -0.2, not a binary fraction below it
        {{ round_to('team_mean - team_mean_before', 6) }} as kpi_value,
        cast(null as double precision) as kpi_numerator,
        cast(null as double precision) as kpi_denominator,
        case when team_mean_before is not null then team_mean end as secondary_value,
        case
            when team_mean is null or team_mean_before is null
                then 'no team survey in this quarter or the one before to compare'
        end as not_tracked_reason
    from quarter_means
),

kpis as (
    select * from stakeholder_csat
    union all
    select * from team_friction
)

select
    month,
    project_id,
    kpi,
    cast(kpi_value as double precision) as kpi_value,
    kpi_numerator,
    kpi_denominator,
    secondary_value,
    not_tracked_reason
from kpis
