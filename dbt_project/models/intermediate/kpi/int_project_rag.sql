-- RAG per dimension with the tier's thresholds from steerpack.yaml, the overall grade, the watermelon and the
-- unverified-green flags (DESIGN §5). A value above the amber threshold is Amber, above the red one Red. Once past
-- its baseline start, a project whose schedule or cost cannot be measured (no plan, no spend: a data gap) grades
-- that dimension Unknown, never Green; before its start an unmeasured dimension, and cost, is not graded. A live
-- project in its window whose incidents cannot be measured (no services, no incident export) grades them Unknown.
with measures as (
    select * from {{ ref('int_project_month_measures') }}
),

incidents_unmeasured as (
    -- live projects in their window whose incidents cannot be measured (no services, no incident export)
    select distinct month, project_id from {{ ref('int_incidents_unmeasured') }}
),

measured as (
    select
        measures.*,
        incidents_unmeasured.project_id is not null as is_incidents_unmeasured
    from measures
    left join incidents_unmeasured
        on incidents_unmeasured.month = measures.month
        and incidents_unmeasured.project_id = measures.project_id
),

dimension_grades as (
    select
        *,
        {{ rag_grade('schedule_slip_pct', 'tier') }} as slip_grade,
        -- milestones grade the schedule once at least two are due
        case when milestones_due >= 2 then {{ rate_grade('milestone_on_time_rate', 'tier') }} end as milestone_grade,
        {{ rag_grade('cost_overrun_pct', 'tier') }} as cost_grade
    from measured
),

graded as (
    select
        *,
        {{ worst_rag([
            "slip_grade",
            "milestone_grade",
            "case when slip_grade is null and is_past_baseline_start then 'Unknown' end",
        ]) }} as rag_schedule,
        -- before its baseline start cost is not graded: a pre-payment with EV 0 is a note, not an overrun
        case
            when not is_past_baseline_start then null
            when cost_grade is not null then cost_grade
            else 'Unknown'
        end as rag_cost,
        case
            when is_register_row_unreadable then null
            when not benefits_ready and days_to_go_live <= {{ var('benefits_red_days') }} then 'Red'
            else 'Green'
        end as rag_benefits,
        case
            when not coalesce(is_in_incident_window, false) then null
            when post_golive_p1_count > 0 then 'Red'
            when post_golive_p2_count > 0 then 'Amber'
            when is_incidents_unmeasured then 'Unknown'
            else 'Green'
        end as rag_incidents
    from dimension_grades
),

overall as (
    select
        *,
        -- a project no register row of which could be read is listed, never graded (DESIGN §4a)
        case
            when is_register_row_unreadable then 'Unknown'
            else {{ worst_rag(['rag_schedule', 'rag_cost', 'rag_benefits', 'rag_incidents']) }}
        end as rag_overall
    from graded
)

select
    *,
    reported_status = 'Green' and rag_overall = 'Red' as watermelon,
    reported_status = 'Green' and rag_overall = 'Unknown' as unverified_green
from overall
