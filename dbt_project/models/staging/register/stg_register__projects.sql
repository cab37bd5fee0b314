with source as (
    select * from {{ source('raw', 'projects') }}
),

deduplicated as (
    -- a project listed twice in one snapshot: the lower row of the sheet wins, as an analyst reading top-down expects
    select *
    from source
    qualify row_number() over (
            partition by snapshot_month, project_id order by source_row desc
        ) = 1
)

select
    snapshot_month,
    project_id,
    project_name,
    tier,
    sponsor,
    project_manager,
    reported_status,
    phase,
    bac as bac_local,
    upper(currency) as currency,
    baseline_start,
    baseline_finish,
    go_live_planned,
    go_live_actual,
    -- the effective go-live (DESIGN §5): the actual one once there is one, else the planned one
    coalesce(go_live_actual, go_live_planned) as go_live_date,
    plan_source,
    -- a schedule plan (MSPDI, Smartsheet) weights its tasks; the other plans (Jira, Azure DevOps: the parser admits
    -- no fifth) earn by work items
    plan_source in ('ms_project', 'smartsheet') as is_schedule_plan,
    plan_key,
    finance_codes,
    services,
    -- optional columns (DESIGN §3): the PM's estimate at completion in the project's currency, and the rate
    -- fx_policy budget_rate translates the project's money at
    eac_management,
    budget_fx_rate,
    -- optional column (DESIGN §3): the PM's own words on the status, shown beside the generated narrative
    status_comment,
    source_file,
    source_row
from deduplicated
