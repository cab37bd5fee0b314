-- Each window month's schedule tasks: per plan file, the tasks of its latest export at or before the month,
-- mapped to the register's project by file stem.
with tasks as (
    select * from {{ ref('stg_ms_project__tasks') }}
    union all
    select * from {{ ref('stg_smartsheet__tasks') }}
),

tasks_as_of as (
    {{ as_of_snapshot('tasks', 'plans', ['plan_source', 'plan_key']) }}
),

projects as (
    select month, project_id, plan_source, plan_key
    from {{ ref('int_projects_as_of_month') }}
    where is_schedule_plan
)

select
    projects.project_id,
    tasks_as_of.*
from tasks_as_of
left join projects
    on projects.month = tasks_as_of.month
    and projects.plan_source = tasks_as_of.plan_source
    and projects.plan_key = tasks_as_of.plan_key
