-- RAG per dimension with the tier's thresholds from steerpack.yaml, the overall grade and the watermelon flag
-- (DESIGN §5). A value above the amber threshold is Amber, above the red one Red.
with measures as (
    select * from {{ ref('int_project_month_measures') }}
),

graded as (
    select
        *,
        {{ rag_grade('schedule_slip_pct', 'tier') }} as rag_schedule,
        {{ rag_grade('cost_overrun_pct', 'tier') }} as rag_cost,
        case
            when not benefits_ready and days_to_go_live <= {{ var('benefits_red_days', 30) }} then 'Red'
            else 'Green'
        end as rag_benefits,
        case
            when not coalesce(is_in_incident_window, false) then null
            when post_golive_p1_count > 0 then 'Red'
            when post_golive_p2_count > 0 then 'Amber'
            else 'Green'
        end as rag_incidents
    from measures
)

select
    *,
    {{ worst_rag(['rag_schedule', 'rag_cost', 'rag_benefits', 'rag_incidents']) }} as rag_overall,
    reported_status = 'Green'
        and {{ worst_rag(['rag_schedule', 'rag_cost', 'rag_benefits', 'rag_incidents']) }} = 'Red' as watermelon
from graded
