-- What is missing from each project's inputs in each month, as sentences a reader can act on (DESIGN §4a).
-- A gap does not stop the month: the project is graded on what loaded, and its page says what is missing.
-- Before its baseline start an empty plan or no spend is normal, so those two are gaps only after it.
with projects as (
    select
        month,
        {{ month_end_date('month') }} as as_of,
        project_id,
        is_schedule_plan,
        plan_key,
        finance_codes,
        baseline_start
    from {{ ref('int_projects_as_of_month') }}
),

planned as (
    select distinct month, project_id from {{ ref('int_schedule_tasks_as_of_month') }}
    where project_id is not null
    union
    select distinct month, project_id from {{ ref('int_work_items_as_of_month') }}
    where project_id is not null
),

schedule_baselines as (
    select
        month,
        project_id,
        count(*) as tasks,
        count(baseline_finish) as baselined_tasks,
        count(*) filter (where baseline_finish < baseline_start) as inverted_tasks
    from {{ ref('int_schedule_tasks_as_of_month') }}
    where project_id is not null and not coalesce(is_summary, false)
    group by month, project_id
),

register_milestones as (
    select distinct month, project_id from {{ ref('int_milestones_as_of_month') }}
),

spend_lines as (
    select month, project_id, count(*) as spend_lines, sum(amount_base) as net_spend
    from {{ ref('int_spend_converted') }}
    where project_id is not null
    group by month, project_id
),

project_codes as (
    select distinct
        projects.month,
        projects.project_id,
        trim(codes.project_code) as project_code
    from projects,
        unnest(string_split(projects.finance_codes, ';')) as codes (project_code)
    where trim(codes.project_code) <> ''
),

quarantined as (
    select
        snapshot_month,
        table_name,
        record_key,
        count(*) as rows_quarantined,
        case
            when mode(reason) like '%is not an amount%' then 'amount unreadable'
            when mode(reason) like '%is not a date%' then 'date unreadable'
            when mode(reason) like '%required value is empty%' then 'a required value missing'
            else 'unreadable'
        end as cause
    from {{ ref('stg_steerpack__quarantine') }}
    where record_key is not null
    group by snapshot_month, table_name, record_key
),

quarantine_gaps as (
    select
        project_codes.month,
        project_codes.project_id,
        quarantined.rows_quarantined || ' spend line(s) on ' || project_codes.project_code
        || ' quarantined (' || quarantined.cause || ')' as gap
    from project_codes
    inner join quarantined
        on quarantined.snapshot_month = project_codes.month
        and quarantined.table_name = 'spend'
        and quarantined.record_key = project_codes.project_code

    union all

    select
        projects.month,
        projects.project_id,
        quarantined.rows_quarantined || ' plan row(s) for plan key ' || projects.plan_key
        || ' quarantined (' || quarantined.cause || ')' as gap
    from projects
    inner join quarantined
        on quarantined.snapshot_month = projects.month
        and quarantined.table_name in ('work_items', 'schedule_tasks')
        and quarantined.record_key = projects.plan_key

    union all

    select
        projects.month,
        projects.project_id,
        quarantined.rows_quarantined || ' ' || quarantined.table_name || ' row(s) of the register quarantined ('
        || quarantined.cause || ')' as gap
    from projects
    inner join quarantined
        on quarantined.snapshot_month = projects.month
        and quarantined.table_name in ('milestones', 'benefits', 'raid', 'changes')
        and quarantined.record_key = projects.project_id
),

input_gaps as (
    select
        projects.month,
        projects.project_id,
        case
            when projects.plan_key is null then 'no plan_key in the register'
            else 'no plan rows for plan key ' || projects.plan_key
        end as gap
    from projects
    left join planned
        on planned.month = projects.month
        and planned.project_id = projects.project_id
    where planned.project_id is null
        and projects.as_of >= projects.baseline_start

    union all

    select
        projects.month,
        projects.project_id,
        'no spend although ' || {{ dbt.datediff('projects.baseline_start', 'projects.as_of', 'month') }}
        || ' month(s) past baseline start' as gap
    from projects
    left join spend_lines
        on spend_lines.month = projects.month
        and spend_lines.project_id = projects.project_id
    where spend_lines.project_id is null
        and projects.as_of >= projects.baseline_start

    union all

    -- an agile plan's forecast finish comes from the register's milestones (DESIGN §5): none, no schedule grade
    select
        projects.month,
        projects.project_id,
        'no milestones in the register (an agile plan takes its forecast finish from them)' as gap
    from projects
    left join register_milestones
        on register_milestones.month = projects.month
        and register_milestones.project_id = projects.project_id
    where register_milestones.project_id is null
        and not projects.is_schedule_plan
        and projects.as_of >= projects.baseline_start

    union all

    select
        projects.month,
        projects.project_id,
        'plan ' || projects.plan_key || ' has no baseline (' || schedule_baselines.tasks
        || ' task(s) without baseline dates)' as gap
    from projects
    inner join schedule_baselines
        on schedule_baselines.month = projects.month
        and schedule_baselines.project_id = projects.project_id
    where schedule_baselines.baselined_tasks = 0
        and projects.as_of >= projects.baseline_start

    union all

    select
        projects.month,
        projects.project_id,
        'plan ' || projects.plan_key || ': ' || schedule_baselines.inverted_tasks
        || ' task(s) with a baseline finish before the start (weighted 0)' as gap
    from projects
    inner join schedule_baselines
        on schedule_baselines.month = projects.month
        and schedule_baselines.project_id = projects.project_id
    where schedule_baselines.inverted_tasks > 0

    union all

    select
        spend_lines.month,
        spend_lines.project_id,
        'net spend is zero or negative (' || spend_lines.spend_lines || ' line(s), credit notes only)' as gap
    from spend_lines
    where spend_lines.net_spend <= 0
),

gaps as (
    select month, project_id, gap from input_gaps
    union all
    select month, project_id, gap from quarantine_gaps
),

listed as (
    select
        month,
        project_id,
        string_agg(gap, '; ' order by gap) as data_gaps
    from gaps
    group by month, project_id
)

select
    projects.month,
    projects.project_id,
    listed.project_id is null as data_complete,
    listed.data_gaps
from projects
left join listed
    on listed.month = projects.month
    and listed.project_id = projects.project_id
