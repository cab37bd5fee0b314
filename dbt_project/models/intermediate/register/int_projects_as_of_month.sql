{{
    config(
        materialized='table'
    )
}}

-- Materialized as a table, to cut the stack of views the models above it are planned through.
-- It holds the run's window months only (macros/months.sql), as a view would; the incremental marts keep
-- every month.
-- Each window month's projects, as the latest register snapshot at or before that month lists them (DESIGN §4a).
-- A quarantined Projects row never drops its project: the project's row in the latest earlier register that
-- loaded it serves the month (is_register_row_carried, with a data gap saying so), and a project with no such
-- row is listed and not graded (is_register_row_unreadable). A project simply absent from the register was
-- removed, and stays absent.
{% set register_columns = [
    'month', 'snapshot_month', 'project_id', 'project_name', 'tier', 'sponsor', 'project_manager',
    'reported_status', 'phase', 'bac_local', 'currency', 'baseline_start', 'baseline_finish', 'go_live_planned',
    'go_live_actual', 'go_live_date', 'plan_source', 'is_schedule_plan', 'plan_key', 'finance_codes', 'services',
    'eac_management', 'budget_fx_rate', 'status_comment', 'source_file', 'source_row',
] -%}

with listed as (
    {{ as_of_snapshot(ref('stg_register__projects'), 'register') }}
),

register_snapshots as (
    -- the register snapshot each window month reads
    select distinct
        month,
        snapshot_month
    from listed
),

quarantined_rows as (
    -- the Projects rows a register quarantined, by the project id the row names (the parser keeps it readable)
    select
        snapshot_month,
        record_key as project_id,
        min(source_file || ' ' || reason) as register_row_problem
    from {{ ref('stg_steerpack__quarantine') }}
    where table_name = 'projects' and record_key is not null
    group by snapshot_month, record_key
),

unlisted_quarantined as (
    select
        register_snapshots.month,
        register_snapshots.snapshot_month,
        quarantined_rows.project_id,
        quarantined_rows.register_row_problem
    from register_snapshots
    inner join quarantined_rows
        on register_snapshots.snapshot_month = quarantined_rows.snapshot_month
    left join listed
        on register_snapshots.month = listed.month
        and quarantined_rows.project_id = listed.project_id
    where listed.project_id is null
),

carried_rows as (
    -- the project's row in the latest earlier register that loaded it (never one a blocked month loaded)
    select
        unlisted_quarantined.month,
        unlisted_quarantined.register_row_problem,
        earlier.*
    from unlisted_quarantined
    inner join {{ ref('stg_register__projects') }} as earlier
        on unlisted_quarantined.project_id = earlier.project_id
        and earlier.snapshot_month < unlisted_quarantined.snapshot_month
    where {{ serves_month('earlier.snapshot_month', 'unlisted_quarantined.month', 'register') }}
    qualify row_number() over (
            partition by unlisted_quarantined.month, unlisted_quarantined.project_id
            order by earlier.snapshot_month desc
        ) = 1
),

projects as (
    select
        {% for column in register_columns %}{{ column }},
        {% endfor %}false as is_register_row_carried,
        false as is_register_row_unreadable,
        cast(null as varchar) as register_row_problem
    from listed

    union all

    select
        {% for column in register_columns %}{{ column }},
        {% endfor %}true as is_register_row_carried,
        false as is_register_row_unreadable,
        register_row_problem
    from carried_rows

    union all

    -- nothing readable of the project in any register: listed by id, every figure unknown
    select
        unlisted_quarantined.month,
        unlisted_quarantined.snapshot_month,
        unlisted_quarantined.project_id,
        unlisted_quarantined.project_id as project_name,
        cast(null as integer) as tier,
        cast(null as varchar) as sponsor,
        cast(null as varchar) as project_manager,
        cast(null as varchar) as reported_status,
        cast(null as varchar) as phase,
        cast(null as double precision) as bac_local,
        cast(null as varchar) as currency,
        cast(null as date) as baseline_start,
        cast(null as date) as baseline_finish,
        cast(null as date) as go_live_planned,
        cast(null as date) as go_live_actual,
        cast(null as date) as go_live_date,
        cast(null as varchar) as plan_source,
        false as is_schedule_plan,
        cast(null as varchar) as plan_key,
        cast(null as varchar) as finance_codes,
        cast(null as varchar) as services,
        cast(null as double precision) as eac_management,
        cast(null as double precision) as budget_fx_rate,
        cast(null as varchar) as status_comment,
        cast(null as varchar) as source_file,
        cast(null as bigint) as source_row,
        false as is_register_row_carried,
        true as is_register_row_unreadable,
        unlisted_quarantined.register_row_problem
    from unlisted_quarantined
    left join carried_rows
        on unlisted_quarantined.month = carried_rows.month
        and unlisted_quarantined.project_id = carried_rows.project_id
    where carried_rows.project_id is null
)

select
    projects.*,
    -- the month's as_of date, its last day (DESIGN §5): computed here once for every model that joins this one
    {{ month_end_date('projects.month') }} as as_of
from projects
