-- Earned schedule's data gap (DESIGN §5), which int_project_data_gaps lists on the project's page: a schedule
-- plan whose last task baseline finish (where its PV curve reaches BAC: the PD earned schedule uses) is further
-- from the register's baseline_finish than the tier's milestone tolerance. The plan's finish is read from its
-- tasks, not from int_earned_schedule: the gaps and the grades then do not each expand the daily PV curve
-- under fct_project_month (that doubled the planning of the whole view stack).
with projects as (
    select month, project_id, tier, plan_key, is_schedule_plan, baseline_start, baseline_finish
    from {{ ref('int_projects_as_of_month') }}
    where is_schedule_plan
),

weighed_tasks as (
    -- the tasks the PV curve spreads: neither summaries nor milestones, with a baseline that does not run backwards
    select month, project_id, max(baseline_finish) as plan_finish
    from {{ ref('int_schedule_tasks_as_of_month') }}
    where project_id is not null
        and not coalesce(is_summary, false)
        and not coalesce(is_milestone, false)
        and baseline_finish >= baseline_start
    group by month, project_id
),

plan_finishes as (
    select
        projects.month,
        projects.project_id,
        projects.plan_key,
        projects.baseline_finish,
        -- the curve runs from the register's baseline start to the later of the two finishes
        greatest(weighed_tasks.plan_finish, projects.baseline_start) as plan_finish,
        {{ tolerance_days('projects.tier') }} as tolerance_days
    from projects
    inner join weighed_tasks
        on weighed_tasks.month = projects.month
        and weighed_tasks.project_id = projects.project_id
)

select
    month,
    project_id,
    'plan ' || coalesce(plan_key, project_id) || ': its last task baseline finish ' || cast(plan_finish as varchar)
    || ' is ' || abs({{ dbt.datediff('baseline_finish', 'plan_finish', 'day') }})
    || ' day(s) from the register''s baseline_finish ' || cast(baseline_finish as varchar)
    || ' (tolerance ' || tolerance_days || '): earned schedule uses the plan''s' as gap
from plan_finishes
where abs({{ dbt.datediff('baseline_finish', 'plan_finish', 'day') }}) > tolerance_days
