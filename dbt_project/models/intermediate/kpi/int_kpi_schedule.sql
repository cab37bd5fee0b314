-- The schedule KPIs of DESIGN §5a that the register's dates and the plan's flags measure, per window month and
-- project and for the portfolio (the KPI intermediate contract: fct_kpi_scorecard_month joins the targets and
-- grades them):
--   critical_path_stability: the tasks MS Project flags Critical this month against the month before, in the same
--     plan file: 1 - (tasks whose flag changed / tasks critical in either month).
--   vendor_delivery: the on-time share of the register milestones that name a vendor and are due by as_of, on the
--     rule int_milestones_assessed applies (done by baseline + the tier's tolerance; due without an actual is late).
with projects as (
    select
        month,
        project_id,
        as_of,
        tier,
        plan_source,
        plan_key
    from {{ ref('int_projects_as_of_month') }}
),

tasks as (
    select * from {{ ref('stg_ms_project__tasks') }}
    union all
    select * from {{ ref('stg_smartsheet__tasks') }}
),

tasks_as_of as (
    -- the plan files as int_schedule_tasks_as_of_month serves them, plus the month before the window, which
    -- that model does not hold and the window's first month compares with
    {{ as_of_snapshot('tasks', 'plans', ['plan_source', 'plan_key'], months_before=1) }}
),

plan_tasks as (
    -- summary tasks are left out: Project flags a summary Critical whenever one of its tasks is, so they would
    -- count each change twice. A task is its UID within its plan file, as everywhere else.
    select
        month,
        plan_source,
        plan_key,
        task_uid,
        is_critical
    from tasks_as_of
    where not coalesce(is_summary, false)
),

current_tasks as (
    select
        projects.month,
        projects.project_id,
        plan_tasks.task_uid,
        plan_tasks.is_critical
    from projects
    inner join plan_tasks
        on plan_tasks.month = projects.month
        and plan_tasks.plan_source = projects.plan_source
        and plan_tasks.plan_key = projects.plan_key
),

previous_tasks as (
    -- the same plan file (this month's plan_key) as it stood the month before
    select
        projects.month,
        projects.project_id,
        plan_tasks.task_uid,
        plan_tasks.is_critical
    from projects
    inner join plan_tasks
        on plan_tasks.month = {{ previous_month('projects.month') }}
        and plan_tasks.plan_source = projects.plan_source
        and plan_tasks.plan_key = projects.plan_key
),

flagged_projects as (
    -- the KPI's input: a plan whose tasks carry the flag this month (a plan without it emits no row)
    select
        month,
        project_id,
        count(case when is_critical then 1 end) as critical_now
    from current_tasks
    group by month, project_id
    having count(is_critical) > 0
),

previously_flagged as (
    select
        month,
        project_id
    from previous_tasks
    group by month, project_id
    having count(is_critical) > 0
),

critical_marks as (
    select month, project_id, task_uid, 1 as is_now, 0 as was_before
    from current_tasks
    where is_critical
    union all
    select month, project_id, task_uid, 0 as is_now, 1 as was_before
    from previous_tasks
    where is_critical
),

critical_union as (
    -- one row per task critical in either month
    select
        month,
        project_id,
        task_uid,
        max(is_now) as is_now,
        max(was_before) as was_before
    from critical_marks
    group by month, project_id, task_uid
),

set_sizes as (
    select
        month,
        project_id,
        count(*) as union_size,
        -- union minus the symmetric difference: the tasks critical in both months
        count(case when is_now = 1 and was_before = 1 then 1 end) as unchanged_size
    from critical_union
    group by month, project_id
),

stability_inputs as (
    select
        flagged_projects.month,
        flagged_projects.project_id,
        flagged_projects.critical_now,
        previously_flagged.project_id is not null as has_previous,
        case when previously_flagged.project_id is not null then coalesce(set_sizes.union_size, 0) else 0 end
            as union_size,
        case when previously_flagged.project_id is not null then coalesce(set_sizes.unchanged_size, 0) else 0 end
            as unchanged_size
    from flagged_projects
    left join previously_flagged
        on previously_flagged.month = flagged_projects.month
        and previously_flagged.project_id = flagged_projects.project_id
    left join set_sizes
        on set_sizes.month = flagged_projects.month
        and set_sizes.project_id = flagged_projects.project_id
),

stability_portfolio as (
    -- pooled: the projects compared with their month before, their unchanged and union counts summed
    select
        month,
        cast(null as varchar) as project_id,
        sum(critical_now) as critical_now,
        max(case when has_previous then 1 else 0 end) = 1 as has_previous,
        sum(union_size) as union_size,
        sum(unchanged_size) as unchanged_size
    from stability_inputs
    group by month
),

stability_counts as (
    select * from stability_inputs
    union all
    select * from stability_portfolio
),

stability as (
    select
        month,
        project_id,
        'critical_path_stability' as kpi,
        case
            when has_previous and union_size > 0
                then cast(unchanged_size as double precision) / nullif(union_size, 0)
        end as kpi_value,
        case when has_previous and union_size > 0 then cast(unchanged_size as double precision) end
            as kpi_numerator,
        case when has_previous and union_size > 0 then cast(union_size as double precision) end
            as kpi_denominator,
        cast(critical_now as double precision) as secondary_value,
        case
            when not has_previous then 'no plan with Critical flags the month before to compare'
            when union_size = 0 then 'no task is flagged Critical'
        end as not_tracked_reason
    from stability_counts
),

vendor_milestones as (
    -- register milestones that name a vendor, of every project (schedule plans included: the vendor is a
    -- register column, the plan has none); the inner join keeps window months only
    select
        projects.month,
        projects.project_id,
        trim(milestones.milestone_vendor) as milestone_vendor,
        milestones.baseline_date <= projects.as_of as is_due,
        (
            milestones.baseline_date <= projects.as_of
            and milestones.actual_date is not null
            and milestones.actual_date <= projects.as_of
            and milestones.actual_date <= milestones.baseline_date + {{ tolerance_days('projects.tier') }}
        ) as is_on_time
    from projects
    inner join {{ ref('int_milestones_as_of_month') }} as milestones
        on milestones.month = projects.month
        and milestones.project_id = projects.project_id
    where milestones.milestone_vendor is not null
        and trim(milestones.milestone_vendor) <> ''
),

vendor_project_counts as (
    select
        month,
        project_id,
        count(case when is_due then 1 end) as milestones_due,
        count(case when is_due and is_on_time then 1 end) as milestones_on_time,
        count(distinct milestone_vendor) as vendors
    from vendor_milestones
    group by month, project_id
),

vendor_portfolio_counts as (
    -- pooled over every project's vendor milestones; a vendor serving two projects counts once
    select
        month,
        cast(null as varchar) as project_id,
        count(case when is_due then 1 end) as milestones_due,
        count(case when is_due and is_on_time then 1 end) as milestones_on_time,
        count(distinct milestone_vendor) as vendors
    from vendor_milestones
    group by month
),

vendor_counts as (
    select * from vendor_project_counts
    union all
    select * from vendor_portfolio_counts
),

vendor_delivery as (
    select
        month,
        project_id,
        'vendor_delivery' as kpi,
        cast(milestones_on_time as double precision) / nullif(milestones_due, 0) as kpi_value,
        case when milestones_due > 0 then cast(milestones_on_time as double precision) end as kpi_numerator,
        case when milestones_due > 0 then cast(milestones_due as double precision) end as kpi_denominator,
        cast(vendors as double precision) as secondary_value,
        case when milestones_due = 0 then 'no vendor milestone is due yet' end as not_tracked_reason
    from vendor_counts
),

kpis as (
    select * from stability
    union all
    select * from vendor_delivery
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
