-- Per project and month: BAC, PV, EV and AC in the base currency, before the EVM arithmetic (DESIGN §5).
-- Schedule plans weight their tasks; agile plans earn by done points over in-scope points (1 point per item
-- when no item has points) against a straight-line plan from baseline start to baseline finish. Actual time
-- (at_days) runs from the baseline start to as_of, or to the actual finish once the work is complete.
-- Currency (DESIGN §5): AC is the spend in the project's currency (ac_local), and BAC, PV, EV, AC and the EAC
-- target are translated into the base currency at one rate per project and month (int_project_bac), so every
-- index equals the one in the project's currency; ac_historical_base (each line at its posting month's rate)
-- stands beside them, outside the indices.
with projects as (
    select * from {{ ref('int_projects_as_of_month') }}
),

bac as (
    select month, project_id, bac, bac_local, bac_rate_to_base as fx_rate_to_base, fx_rate_basis
    from {{ ref('int_project_bac') }}
),

schedule_progress as (
    select
        month,
        project_id,
        sum(weight * planned_fraction) / nullif(sum(weight), 0) as planned_fraction,
        sum(weight * percent_complete_fraction) / nullif(sum(weight), 0) as earned_fraction,
        -- complete once every task is at 100 %: then its last finish is the project's actual finish
        case
            when bool_and(percent_complete_fraction >= 1) filter (where not is_summary)
                then max(coalesce(actual_finish, finish_date)) filter (where not is_summary)
        end as actual_finish
    from {{ ref('int_tasks_weighted') }}
    group by month, project_id
),

items as (
    select *
    from {{ ref('int_work_items_as_of_month') }}
    -- counted items only (DESIGN §5): no container (an open Epic) and no child of a counted item
    where project_id is not null and not is_out_of_scope and is_counted
),

agile_progress as (
    select
        month,
        project_id,
        case
            when count(*) filter (where story_points > 0) > 0
                -- nothing done yet earns 0, not null (a SUM over no rows)
                then coalesce(sum(coalesce(story_points, 0)) filter (where is_done), 0.0)
                    / sum(coalesce(story_points, 0))
            else cast(count(*) filter (where is_done) as double precision) / count(*)
        end as earned_fraction,
        -- complete the day EV reaches BAC: every item that carries weight (points > 0 when the plan uses points,
        -- else every item) done; then the last of their resolutions is the actual finish, and an open zero-point
        -- item never keeps the clock running (DESIGN §5)
        case
            when count(*) filter (where story_points > 0) = 0 and bool_and(is_done)
                then cast(max(resolved_at) as date)
            when bool_and(is_done) filter (where story_points > 0)
                then cast(max(resolved_at) filter (where is_done and story_points > 0) as date)
        end as actual_finish
    from items
    group by month, project_id
),

actual_cost as (
    select
        month,
        project_id,
        sum(amount_project) as ac_local,
        sum(amount_base) as ac_historical_base
    from {{ ref('int_spend_converted') }}
    where project_id is not null
    group by month, project_id
),

approved_changes as (
    -- the budget as revised by the change requests approved by as_of, in the project's currency (DESIGN §5)
    select
        changes.month,
        changes.project_id,
        sum(changes.cost_impact) as approved_cost_impact
    from {{ ref('int_changes_as_of_month') }} as changes
    where lower(trim(changes.decision)) = 'approved'
        and changes.decided_date <= {{ month_end_date('changes.month') }}
        and changes.cost_impact is not null
    group by changes.month, changes.project_id
),

fractions as (
    select
        projects.month,
        projects.as_of,
        projects.project_id,
        projects.plan_source,
        projects.is_schedule_plan,
        projects.baseline_start,
        projects.baseline_finish,
        -- the PM's own estimate, else the budget revised by approved change requests (TCPI to EAC, DESIGN §5)
        coalesce(
            projects.eac_management, projects.bac_local + approved_changes.approved_cost_impact
        ) as eac_target_local,
        case
            when projects.is_schedule_plan then schedule_progress.planned_fraction
            else {{ clamped_fraction(
                days_between('projects.baseline_start', 'projects.as_of'),
                days_between('projects.baseline_start', 'projects.baseline_finish'),
            ) }}
        end as planned_fraction,
        case
            when projects.is_schedule_plan then schedule_progress.earned_fraction
            else agile_progress.earned_fraction
        end as earned_fraction,
        case
            when projects.is_schedule_plan then schedule_progress.actual_finish
            else agile_progress.actual_finish
        end as actual_finish
    from projects
    left join schedule_progress
        on schedule_progress.month = projects.month
        and schedule_progress.project_id = projects.project_id
    left join agile_progress
        on agile_progress.month = projects.month
        and agile_progress.project_id = projects.project_id
    left join approved_changes
        on approved_changes.month = projects.month
        and approved_changes.project_id = projects.project_id
)

select
    fractions.month,
    fractions.as_of,
    fractions.project_id,
    fractions.plan_source,
    fractions.is_schedule_plan,
    fractions.baseline_start,
    fractions.baseline_finish,
    fractions.planned_fraction,
    fractions.earned_fraction,
    bac.bac,
    bac.bac * fractions.planned_fraction as pv,
    bac.bac * fractions.earned_fraction as ev,
    coalesce(actual_cost.ac_local, 0.0) * bac.fx_rate_to_base as ac,
    bac.bac_local,
    coalesce(actual_cost.ac_local, 0.0) as ac_local,
    coalesce(actual_cost.ac_historical_base, 0.0) as ac_historical_base,
    bac.fx_rate_to_base,
    bac.fx_rate_basis,
    fractions.eac_target_local * bac.fx_rate_to_base as eac_target,
    fractions.actual_finish,
    -- actual time stops when the work is complete, or SPI(t) would decay for ever after (DESIGN §5)
    {{ days_between('fractions.baseline_start', 'least(fractions.as_of, coalesce(fractions.actual_finish, fractions.as_of))') }}
        as at_days
from fractions
inner join bac
    on bac.month = fractions.month
    and bac.project_id = fractions.project_id
left join actual_cost
    on actual_cost.month = fractions.month
    and actual_cost.project_id = fractions.project_id
