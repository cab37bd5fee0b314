-- Scope churn, change-request cycle time (elapsed and business days) and RAID freshness per project and month
-- (DESIGN §5).
with projects as (
    select
        month,
        as_of,
        project_id,
        baseline_start
    from {{ ref('int_projects_as_of_month') }}
),

items as (
    -- only the items that count (DESIGN §5: jira.counted_issue_types, azure_devops.counted_work_item_types): a
    -- container (Epic, Feature, Initiative) or a child task of a counted item would count the same work twice
    select month, project_id, created_at, is_out_of_scope
    from {{ ref('int_work_items_as_of_month') }}
    where project_id is not null and is_counted
),

scope as (
    select
        projects.month,
        projects.project_id,
        count(*) filter (where cast(items.created_at as date) <= projects.baseline_start) as items_at_baseline,
        count(*) filter (where cast(items.created_at as date) > projects.baseline_start) as items_added,
        count(*) filter (where items.is_out_of_scope) as items_removed
    from projects
    inner join items
        on items.month = projects.month
        and items.project_id = projects.project_id
    group by projects.month, projects.project_id
),

decided_changes as (
    select
        projects.month,
        projects.project_id,
        changes.cr_id,
        changes.submitted_date,
        changes.decided_date
    from projects
    inner join {{ ref('int_changes_as_of_month') }} as changes
        on changes.month = projects.month
        and changes.project_id = projects.project_id
    where changes.decided_date between projects.month and projects.as_of
),

change_business_days as (
    -- weekdays from submitted (inclusive) to decided (exclusive), less the config's holidays, as
    -- numpy.busday_count counts them: negative when decided before submitted, null without both dates
    select
        decided_changes.month,
        decided_changes.project_id,
        decided_changes.cr_id,
        case when decided_changes.decided_date < decided_changes.submitted_date then -1 else 1 end
        * count(elapsed.day) filter (
            where isodow(elapsed.day) < 6
            {%- if var('holidays', []) %}
                and cast(elapsed.day as date) not in (
                    {%- for holiday in var('holidays') %}cast('{{ holiday }}' as date){{ ", " if not loop.last }}{% endfor -%}
                )
            {%- endif %}
        ) as business_days
    from decided_changes
    -- one row per calendar day between the dates: a lateral series, which a CTE cannot express
    left join lateral (  -- noqa: ST05
        select unnest(range(
            least(decided_changes.submitted_date, decided_changes.decided_date),
            greatest(decided_changes.submitted_date, decided_changes.decided_date),
            interval 1 day
        )) as day
    ) as elapsed on true
    where decided_changes.submitted_date is not null
    group by
        decided_changes.month, decided_changes.project_id, decided_changes.cr_id,
        decided_changes.submitted_date, decided_changes.decided_date
),

changes as (
    -- cycle times are elapsed times (decided - submitted: a same-day decision takes 0 days)
    select
        decided_changes.month,
        decided_changes.project_id,
        median({{ dbt.datediff('decided_changes.submitted_date', 'decided_changes.decided_date', 'day') }})
            as cr_cycle_days_median,
        median(change_business_days.business_days) as cr_cycle_business_days_median,
        count(*) as changes_decided
    from decided_changes
    left join change_business_days
        on change_business_days.month = decided_changes.month
        and change_business_days.project_id = decided_changes.project_id
        and change_business_days.cr_id = decided_changes.cr_id
    group by decided_changes.month, decided_changes.project_id
),

raid as (
    select
        projects.month,
        projects.project_id,
        count(*) as raid_open,
        -- age since the last update is elapsed time: updated on as_of is 0 days old
        count(*) filter (
            where {{ dbt.datediff('raid.last_updated', 'projects.as_of', 'day') }} <= {{ var('raid_fresh_days') }}
        ) as raid_open_fresh
    from projects
    inner join {{ ref('int_raid_as_of_month') }} as raid
        on raid.month = projects.month
        and raid.project_id = projects.project_id
    where raid.is_open
    group by projects.month, projects.project_id
)

select
    projects.month,
    projects.project_id,
    cast(scope.items_added + scope.items_removed as double precision)
    / nullif(scope.items_at_baseline, 0) as scope_churn_pct,
    changes.cr_cycle_days_median,
    changes.cr_cycle_business_days_median,
    coalesce(changes.changes_decided, 0) as changes_decided,
    cast(raid.raid_open_fresh as double precision) / nullif(raid.raid_open, 0) as raid_fresh_pct
from projects
left join scope
    on scope.month = projects.month
    and scope.project_id = projects.project_id
left join changes
    on changes.month = projects.month
    and changes.project_id = projects.project_id
left join raid
    on raid.month = projects.month
    and raid.project_id = projects.project_id
