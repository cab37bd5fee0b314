{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='month'
    )
}}

-- The portfolio per month: projects by RAG, totals in the base currency, on-time rate, watermelons, go-lives,
-- and how many projects changed grade since the previous month (fct_project_change_month's comparisons). An
-- incremental run also rebuilds the month after the window, when the project marts hold it: its moves and new
-- Reds are against the window's last month (audit N15).
{% set last_month = next_month(window_end()) if is_incremental() else window_end() %}
with project_months as (
    select *
    from {{ ref('fct_project_month') }}
    where month between {{ window_start() }} and {{ last_month }}
),

project_changes as (
    select project_id, month, rag_moved, is_new_red
    from {{ ref('fct_project_change_month') }}
    where month between {{ window_start() }} and {{ last_month }}
),

current_months as (
    select
        project_months.*,
        project_changes.rag_moved,
        project_changes.is_new_red
    from project_months
    left join project_changes
        on project_changes.month = project_months.month
        and project_changes.project_id = project_months.project_id
)

select
    month,
    max(as_of) as as_of,
    count(*) as projects_total,
    count(*) filter (where rag_overall = 'Red') as projects_red,
    count(*) filter (where rag_overall = 'Amber') as projects_amber,
    count(*) filter (where rag_overall = 'Green') as projects_green,
    count(*) filter (where rag_overall = 'Unknown') as projects_unknown,
    count(*) filter (where reported_status = 'Red') as projects_reported_red,
    sum(bac) as bac_total,
    -- the S-curve's totals over the headline ratios' own projects (DESIGN §5), so the chart never contradicts
    -- them: PV and EV over portfolio_spi's projects, AC and the EV it is set against over portfolio_cpi's
    sum(pv) filter (where spi is not null) as pv_total,
    sum(ev) filter (where spi is not null) as ev_total,
    sum(ac) filter (where cpi is not null) as ac_total,
    sum(ev) filter (where cpi is not null) as ev_cpi_total,
    sum(eac) as eac_total,
    -- EAC is null where cost cannot be measured: compare it with the BAC of the same projects
    sum(bac) filter (where eac is not null) as eac_bac_total,
    count(*) filter (where eac is not null) as eac_projects,
    -- each ratio over the projects that have both of its values (a project with spend but no plan has no EV and
    -- must not drag CPI down), with the count behind it
    sum(ev) filter (where cpi is not null) / nullif(sum(ac) filter (where cpi is not null), 0) as portfolio_cpi,
    count(*) filter (where cpi is not null) as portfolio_cpi_projects,
    sum(ev) filter (where spi is not null) / nullif(sum(pv) filter (where spi is not null), 0) as portfolio_spi,
    count(*) filter (where spi is not null) as portfolio_spi_projects,
    cast(sum(milestones_on_time) as double precision) / nullif(sum(milestones_due), 0) as milestone_on_time_rate,
    count(*) filter (where watermelon) as watermelons,
    count(*) filter (where unverified_green) as unverified_greens,
    count(*) filter (where date_trunc('month', go_live_date) = month) as go_lives_this_month,
    count(*) filter (where date_trunc('month', go_live_date) = month + interval 1 month) as go_lives_next_month,
    count(*) filter (where rag_moved) as rag_changes,
    -- fct_project_change_month's is_new_red is the one definition (a project Red in its first month included)
    count(*) filter (where is_new_red) as new_reds
from current_months
group by month
