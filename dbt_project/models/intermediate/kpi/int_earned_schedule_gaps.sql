-- Earned schedule's data gaps (DESIGN §5), which int_project_data_gaps lists on the project's page: a schedule
-- plan whose last task baseline finish (where its PV curve reaches BAC: the PD earned schedule uses) is further
-- from the register's baseline_finish than the tier's milestone tolerance, and an IEAC(t) finish withheld because
-- it fell before as_of while the work is unfinished.
with projects as (
    select month, project_id, tier, plan_key, is_schedule_plan, baseline_start, baseline_finish
    from {{ ref('int_projects_as_of_month') }}
),

earned_schedule as (
    select month, project_id, pd_days, is_ieac_t_finish_withheld
    from {{ ref('int_earned_schedule') }}
),

plan_finishes as (
    select
        projects.month,
        projects.project_id,
        projects.plan_key,
        projects.baseline_finish,
        projects.baseline_start + cast(earned_schedule.pd_days as integer) - 1 as plan_finish,
        {{ tolerance_days('projects.tier') }} as tolerance_days
    from projects
    inner join earned_schedule
        on earned_schedule.month = projects.month
        and earned_schedule.project_id = projects.project_id
    where projects.is_schedule_plan and earned_schedule.pd_days is not null
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

union all

select
    month,
    project_id,
    'IEAC(t) finish not shown: it falls before as_of while the work is unfinished' as gap
from earned_schedule
where is_ieac_t_finish_withheld
