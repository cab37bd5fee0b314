-- The release KPIs of DESIGN §5a (release_readiness, uat_completion, cutover_success) per window month and
-- project, and pooled for the portfolio (project_id null), in the KPI intermediate contract the scorecard mart
-- unions. Readiness and UAT measure the project's current release (int_release_go_live); cutover success looks
-- at every cutover with an outcome in the trailing 12 months.
with projects as (
    select month, as_of, project_id
    from {{ ref('int_projects_as_of_month') }}
),

releases as (
    select month, project_id, release_name, is_current_release, is_in_go_no_go_window
    from {{ ref('int_release_go_live') }}
),

current_releases as (
    select month, project_id, release_name
    from releases
    -- judged once its go-live is in the Go/No-Go window (DESIGN §5a: readiness "at go-live - 7 days"): a
    -- release two months out is still building its checklist, and a low share then is not a miss
    where is_current_release and is_in_go_no_go_window
),

readiness as (
    -- window months only: the sheet's model also serves the month before the window
    select
        sheet_rows.month,
        sheet_rows.project_id,
        sheet_rows.release_name,
        sheet_rows.readiness_status,
        sheet_rows.due_date,
        projects.as_of
    from {{ ref('int_readiness_as_of_month') }} as sheet_rows
    inner join projects
        on projects.month = sheet_rows.month
        and projects.project_id = sheet_rows.project_id
),

uat as (
    select
        sheet_rows.month,
        sheet_rows.project_id,
        sheet_rows.release_name,
        sheet_rows.uat_as_of_date,
        sheet_rows.cases_planned,
        sheet_rows.cases_executed,
        sheet_rows.cases_passed,
        projects.as_of
    from {{ ref('int_uat_as_of_month') }} as sheet_rows
    inner join projects
        on projects.month = sheet_rows.month
        and projects.project_id = sheet_rows.project_id
),

cutovers as (
    select
        sheet_rows.month,
        sheet_rows.project_id,
        sheet_rows.cutover_outcome,
        coalesce(sheet_rows.cutover_actual_date, sheet_rows.cutover_planned_date) as cutover_date,
        projects.as_of
    from {{ ref('int_cutovers_as_of_month') }} as sheet_rows
    inner join projects
        on projects.month = sheet_rows.month
        and projects.project_id = sheet_rows.project_id
),

-- release_readiness ---------------------------------------------------------------------------------------------

readiness_projects as (
    -- a project with Readiness rows has inputs, whether or not one of its releases is current
    select distinct month, project_id
    from readiness
),

readiness_counts as (
    select
        readiness.month,
        readiness.project_id,
        count(*) as items_listed,
        count(*) filter (where readiness.readiness_status = 'Done') as items_done,
        count(*) filter (where readiness.readiness_status <> 'N/A') as items_applicable,
        count(*) filter (
            where readiness.readiness_status = 'Open' and readiness.due_date < readiness.as_of
        ) as items_open_overdue
    from readiness
    inner join current_releases
        on current_releases.month = readiness.month
        and current_releases.project_id = readiness.project_id
        and current_releases.release_name = readiness.release_name
    group by readiness.month, readiness.project_id
),

readiness_assessed as (
    select
        readiness_projects.month,
        readiness_projects.project_id,
        current_releases.release_name is not null as has_current_release,
        readiness_counts.items_listed,
        readiness_counts.items_done,
        readiness_counts.items_applicable,
        readiness_counts.items_open_overdue
    from readiness_projects
    left join current_releases
        on current_releases.month = readiness_projects.month
        and current_releases.project_id = readiness_projects.project_id
    left join readiness_counts
        on readiness_counts.month = readiness_projects.month
        and readiness_counts.project_id = readiness_projects.project_id
),

readiness_portfolio as (
    -- pooled: every current release's items together (Σ Done / Σ not N/A), so a big checklist weighs more
    select
        month,
        cast(null as varchar) as project_id,
        bool_or(has_current_release) as has_current_release,
        sum(items_listed) as items_listed,
        sum(items_done) as items_done,
        sum(items_applicable) as items_applicable,
        sum(items_open_overdue) as items_open_overdue
    from readiness_assessed
    group by month
),

readiness_rows as (
    select month, project_id, has_current_release, items_listed, items_done, items_applicable, items_open_overdue
    from readiness_assessed
    union all
    select month, project_id, has_current_release, items_listed, items_done, items_applicable, items_open_overdue
    from readiness_portfolio
),

release_readiness as (
    select
        month,
        project_id,
        'release_readiness' as kpi,
        cast(items_done as double precision) / nullif(items_applicable, 0) as kpi_value,
        cast(items_done as double precision) as kpi_numerator,
        cast(items_applicable as double precision) as kpi_denominator,
        cast(items_open_overdue as double precision) as secondary_value,
        case
            when not has_current_release then 'no release goes live within {{ var("post_golive_window_days") }} days'
            when coalesce(items_listed, 0) = 0 then 'no readiness items are listed for the current release'
            when items_applicable = 0 then 'every readiness item of the current release is N/A'
        end as not_tracked_reason
    from readiness_rows
),

-- uat_completion ------------------------------------------------------------------------------------------------

uat_projects as (
    select distinct month, project_id
    from uat
),

uat_ranked as (
    -- the current release's latest progress row on or before as_of; rows dated later are not known yet
    select
        uat.month,
        uat.project_id,
        uat.cases_planned,
        uat.cases_executed,
        uat.cases_passed,
        row_number() over (
            partition by uat.month, uat.project_id
            order by uat.uat_as_of_date desc
        ) as recency_rank
    from uat
    inner join current_releases
        on current_releases.month = uat.month
        and current_releases.project_id = uat.project_id
        and current_releases.release_name = uat.release_name
    where uat.uat_as_of_date <= uat.as_of
),

uat_assessed as (
    select
        uat_projects.month,
        uat_projects.project_id,
        current_releases.release_name is not null as has_current_release,
        uat_ranked.month is not null as has_progress,
        uat_ranked.cases_planned,
        uat_ranked.cases_executed,
        uat_ranked.cases_passed
    from uat_projects
    left join current_releases
        on current_releases.month = uat_projects.month
        and current_releases.project_id = uat_projects.project_id
    left join uat_ranked
        on uat_ranked.month = uat_projects.month
        and uat_ranked.project_id = uat_projects.project_id
        and uat_ranked.recency_rank = 1
),

uat_portfolio as (
    -- pooled: Σ executed / Σ planned and Σ passed / Σ executed over the current releases' latest rows
    select
        month,
        cast(null as varchar) as project_id,
        bool_or(has_current_release) as has_current_release,
        bool_or(has_progress) as has_progress,
        sum(cases_planned) as cases_planned,
        sum(cases_executed) as cases_executed,
        sum(cases_passed) as cases_passed
    from uat_assessed
    group by month
),

uat_rows as (
    select month, project_id, has_current_release, has_progress, cases_planned, cases_executed, cases_passed
    from uat_assessed
    union all
    select month, project_id, has_current_release, has_progress, cases_planned, cases_executed, cases_passed
    from uat_portfolio
),

uat_completion as (
    select
        month,
        project_id,
        'uat_completion' as kpi,
        cast(cases_executed as double precision) / nullif(cases_planned, 0) as kpi_value,
        cast(cases_executed as double precision) as kpi_numerator,
        cast(cases_planned as double precision) as kpi_denominator,
        -- the pass rate beside it
        cast(cases_passed as double precision) / nullif(cases_executed, 0) as secondary_value,
        case
            when not has_current_release then 'no release goes live within {{ var("post_golive_window_days") }} days'
            when not has_progress then 'no UAT progress reported for the current release yet'
            when coalesce(cases_planned, 0) = 0 then 'no UAT cases are planned for the current release'
        end as not_tracked_reason
    from uat_rows
),

-- cutover_success -----------------------------------------------------------------------------------------------

cutovers_dated as (
    -- the trailing 12 months: after as_of - 12 months, at most as_of
    select
        month,
        project_id,
        cutover_outcome,
        coalesce(
            cutover_outcome is not null
            and cutover_date > cast({{ dbt.dateadd('month', -12, 'as_of') }} as date)
            and cutover_date <= as_of,
            false
        ) as is_in_trailing_year
    from cutovers
),

cutover_counts as (
    select
        month,
        project_id,
        count(*) filter (where is_in_trailing_year) as cutovers_decided,
        count(*) filter (where is_in_trailing_year and cutover_outcome = 'Success') as cutovers_succeeded
    from cutovers_dated
    group by month, project_id
),

cutover_portfolio as (
    -- pooled: every project's cutovers together
    select
        month,
        cast(null as varchar) as project_id,
        sum(cutovers_decided) as cutovers_decided,
        sum(cutovers_succeeded) as cutovers_succeeded
    from cutover_counts
    group by month
),

cutover_rows as (
    select month, project_id, cutovers_decided, cutovers_succeeded
    from cutover_counts
    union all
    select month, project_id, cutovers_decided, cutovers_succeeded
    from cutover_portfolio
),

cutover_success as (
    select
        month,
        project_id,
        'cutover_success' as kpi,
        cast(cutovers_succeeded as double precision) / nullif(cutovers_decided, 0) as kpi_value,
        cast(cutovers_succeeded as double precision) as kpi_numerator,
        cast(cutovers_decided as double precision) as kpi_denominator,
        cast(null as double precision) as secondary_value,
        case
            when cutovers_decided = 0 then 'no cutover with an outcome in the last 12 months'
        end as not_tracked_reason
    from cutover_rows
),

kpis as (
    select * from release_readiness
    union all
    select * from uat_completion
    union all
    select * from cutover_success
)

select
    month,
    project_id,
    kpi,
    kpi_value,
    kpi_numerator,
    kpi_denominator,
    secondary_value,
    not_tracked_reason
from kpis
