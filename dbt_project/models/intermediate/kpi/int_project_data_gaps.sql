-- What is missing from each project's inputs in each month, as sentences a reader can act on (DESIGN §4a).
-- A gap does not stop the month: the project is graded on what loaded, and its page says what is missing.
-- Before its baseline start an empty plan or no spend is normal, so those two are gaps only after it.
with projects as (
    select
        month,
        as_of,
        project_id,
        is_schedule_plan,
        plan_source,
        plan_key,
        finance_codes,
        services,
        baseline_start,
        currency,
        budget_fx_rate,
        snapshot_month as register_snapshot_month,
        is_register_row_carried,
        is_register_row_unreadable,
        register_row_problem
    from {{ ref('int_projects_as_of_month') }}
),

planned as (
    select distinct month, project_id from {{ ref('int_schedule_tasks_as_of_month') }}
    where project_id is not null
    union
    select distinct month, project_id from {{ ref('int_work_items_as_of_month') }}
    where project_id is not null
),

listed_plan_rows as (
    -- every row the plan exports listed, by plan key: lets a project without plan rows say why
    select snapshot_month, work_item_source as plan_source, jira_project_key as plan_key, source_file, item_id as row_id
    from {{ ref('stg_jira__work_items') }}
    union all
    select snapshot_month, work_item_source as plan_source, area_path as plan_key, source_file, item_id as row_id
    from {{ ref('stg_azure_devops__work_items') }}
    union all
    select snapshot_month, plan_source, plan_key, source_file, cast(task_uid as varchar) as row_id
    from {{ ref('stg_ms_project__tasks') }}
    union all
    select snapshot_month, plan_source, plan_key, source_file, cast(task_uid as varchar) as row_id
    from {{ ref('stg_smartsheet__tasks') }}
),

unplanned as (
    -- past its baseline start, a project with a plan key and not one plan row this month
    select
        projects.month,
        projects.project_id,
        projects.plan_source,
        projects.plan_key
    from projects
    left join planned
        on projects.month = planned.month
        and projects.project_id = planned.project_id
    where
        planned.project_id is null
        and projects.plan_key is not null
        and projects.as_of >= projects.baseline_start
),

unplanned_listings as (
    -- the latest export at or before the month that listed the project's plan key (an Azure DevOps area path at
    -- or below it), row by row
    select
        unplanned.month,
        unplanned.project_id,
        unplanned.plan_source as registered_plan_source,
        unplanned.plan_key,
        listed.plan_source as listed_plan_source,
        listed.source_file,
        listed.row_id
    from unplanned
    inner join listed_plan_rows as listed
        on listed.snapshot_month <= unplanned.month
        and (
            listed.plan_key = unplanned.plan_key
            or (
                listed.plan_source = 'azure_devops'
                and substr(listed.plan_key, 1, length(unplanned.plan_key) + 1) = unplanned.plan_key || '\'
            )
        )
    qualify rank() over (
            partition by unplanned.month, unplanned.project_id
            order by listed.snapshot_month desc
        ) = 1
),

unplanned_causes as (
    select
        unplanned_listings.month,
        unplanned_listings.project_id,
        unplanned_listings.registered_plan_source,
        string_agg(distinct unplanned_listings.source_file, ', ') as source_files,
        max(unplanned_listings.listed_plan_source) as listed_plan_source,
        count(*) as rows_loaded,
        -- an agile item the month counts in another project (its latest export is that project's: it moved)
        count(items_now.project_id) as rows_moved
    from unplanned_listings
    left join {{ ref('int_work_items_as_of_month') }} as items_now
        on unplanned_listings.month = items_now.month
        and unplanned_listings.listed_plan_source = items_now.work_item_source
        and unplanned_listings.row_id = items_now.item_id
        and unplanned_listings.project_id <> items_now.project_id
    group by unplanned_listings.month, unplanned_listings.project_id, unplanned_listings.registered_plan_source
),

plan_gaps as (
    -- DESIGN §4: rows loaded and none kept name their real cause, never a generic "no plan rows"
    select
        unplanned.month,
        unplanned.project_id,
        case
            when unplanned_causes.project_id is null
                then 'no plan rows loaded for plan key ' || unplanned.plan_key || ' (plan_source '
                    || coalesce(unplanned.plan_source, 'none') || ') in this or an earlier drop'
            when unplanned_causes.listed_plan_source <> coalesce(unplanned.plan_source, '')
                then unplanned_causes.source_files || ': ' || unplanned_causes.rows_loaded || ' rows loaded, 0 kept: '
                    || 'the file is a ' || unplanned_causes.listed_plan_source || ' export, but the register gives plan_source '
                    || coalesce(unplanned.plan_source, 'none')
            when unplanned_causes.rows_moved = unplanned_causes.rows_loaded
                then unplanned_causes.source_files || ': ' || unplanned_causes.rows_loaded || ' rows loaded, 0 kept: '
                    || 'every item moved to another project''s export'
            else unplanned_causes.source_files || ': ' || unplanned_causes.rows_loaded || ' rows loaded, 0 kept ('
                || unplanned_causes.rows_moved || ' moved to other projects)'
        end as gap
    from unplanned
    left join unplanned_causes
        on unplanned.month = unplanned_causes.month
        and unplanned.project_id = unplanned_causes.project_id
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

plan_horizons as (
    -- the days the daily PV curve would span (as int_pv_daily_curve computes them): it skips a plan over
    -- limits.max_plan_days, and the plan is named here
    select
        inputs.month,
        inputs.project_id,
        greatest(
            {{ days_between('inputs.baseline_start', 'inputs.baseline_finish') }},
            coalesce({{ days_between('inputs.baseline_start', 'max(tasks.baseline_finish)') }}, 0)
        ) as horizon_days
    from {{ ref('int_projects_as_of_month') }} as inputs
    left join {{ ref('int_tasks_weighted') }} as tasks
        on tasks.month = inputs.month
        and tasks.project_id = inputs.project_id
        and tasks.weight > 0
        and tasks.baseline_start is not null
        and tasks.baseline_finish is not null
    where inputs.bac_local is not null and inputs.baseline_start is not null and inputs.baseline_finish is not null
    group by inputs.month, inputs.project_id, inputs.baseline_start, inputs.baseline_finish
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

project_services as (
    select distinct
        projects.month,
        projects.project_id,
        lower(trim(services.service_name)) as service_key
    from projects,
        unnest(string_split(projects.services, ';')) as services (service_name)
    where trim(services.service_name) <> ''
),

quarantined as (
    select
        snapshot_month,
        table_name,
        record_key,
        count(*) as rows_quarantined,
        case
            when mode(reason) like '%is not an amount%' then 'amount unreadable'
            when mode(reason) like '%limits.max_amount%' or mode(reason) like '%not a finite number%'
                then 'amount not finite or beyond limits.max_amount'
            when mode(reason) like '%quality.plausible_date_years%' then 'date implausibly far from the month'
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

    union all

    -- an incident row that could not be loaded, on a service (or CI) the project runs
    select
        project_services.month,
        project_services.project_id,
        quarantined.rows_quarantined || ' incident row(s) on ' || quarantined.record_key
        || ' quarantined (' || quarantined.cause || ')' as gap
    from project_services
    inner join quarantined
        on quarantined.snapshot_month = project_services.month
        and quarantined.table_name = 'incidents'
        and lower(trim(quarantined.record_key)) = project_services.service_key
),

register_gaps as (
    -- DESIGN §4a: a quarantined Projects row keeps its project in the pack
    select
        month,
        project_id,
        case
            when is_register_row_unreadable
                then 'not graded: register row unreadable (' || register_row_problem || ')'
            else 'register row quarantined (' || register_row_problem || '): this month uses the '
                || substr(cast(register_snapshot_month as varchar), 1, 7) || ' register row'
        end as gap
    from projects
    where is_register_row_carried or is_register_row_unreadable
),

input_gaps as (
    select
        projects.month,
        projects.project_id,
        'no plan_key in the register' as gap
    from projects
    left join planned
        on planned.month = projects.month
        and planned.project_id = projects.project_id
    where planned.project_id is null
        and projects.plan_key is null
        and projects.as_of >= projects.baseline_start

    union all

    select month, project_id, gap from plan_gaps

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
        projects.month,
        projects.project_id,
        'plan ' || coalesce(projects.plan_key, projects.project_id) || ': its baseline spans '
        || plan_horizons.horizon_days || ' days, over the bound of {{ var("max_plan_days") }} days '
        || '(limits.max_plan_days): no planned value curve, so no earned schedule; check the baseline dates' as gap
    from projects
    inner join plan_horizons
        on plan_horizons.month = projects.month
        and plan_horizons.project_id = projects.project_id
    where plan_horizons.horizon_days > {{ var('max_plan_days') }}

    {% if var('fx_policy', 'current') == 'budget_rate' -%}
    union all

    -- fx_policy budget_rate without the project's budget_fx_rate: int_project_bac translates at the month's rate
    -- (fx_rate_basis 'month'), so its money columns move with the month's rate unlike the other projects'
    select
        projects.month,
        projects.project_id,
        'no budget_fx_rate in the register for its ' || projects.currency || ' budget: its money is translated '
        || 'at the month''s rate, not a budget rate (fx_policy budget_rate)' as gap
    from projects
    where projects.currency is not null
        and projects.currency <> '{{ var("base_currency") }}'
        and projects.budget_fx_rate is null

    {% endif -%}
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
    union all
    select month, project_id, gap from register_gaps
    union all
    select month, project_id, gap from {{ ref('int_work_item_state_gaps') }}
    union all
    -- a live project in its window whose incidents cannot be measured (rag_incidents Unknown)
    select month, project_id, gap from {{ ref('int_incidents_unmeasured') }}
    union all
    -- a register baseline the plan disagrees with. (No gap for a withheld IEAC(t) finish: PD is the curve's own and
    -- ES <= PD, so IEAC(t) = PD x AT / ES >= AT and the finish is never before as_of while the work is unfinished.)
    select month, project_id, gap from {{ ref('int_earned_schedule_gaps') }}
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
