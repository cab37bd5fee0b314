-- Earned schedule (DESIGN §5): ES is the t at which the PV curve first reaches EV, interpolated linearly
-- between t-1 and t (PV(0) = 0); AT is the days from baseline start to as_of. Null while AT <= 0.
with curve as (
    select
        month,
        project_id,
        t,
        pv,
        coalesce(lag(pv) over (partition by month, project_id order by t), 0.0) as pv_before
    from {{ ref('int_pv_daily_curve') }}
),

earned as (
    select month, project_id, ev, at_days
    from {{ ref('int_project_evm_inputs') }}
),

crossing as (
    select
        earned.month,
        earned.project_id,
        min(curve.t) filter (where curve.pv >= earned.ev) as t_reached,
        max(curve.t) as curve_days
    from earned
    inner join curve
        on curve.month = earned.month
        and curve.project_id = earned.project_id
    group by earned.month, earned.project_id
),

earned_schedule as (
    select
        earned.month,
        earned.project_id,
        earned.at_days,
        case
            when earned.ev is null then null
            when earned.ev <= 0 then 0.0
            -- EV beyond the whole plan's value: the schedule is fully earned
            when crossing.t_reached is null then cast(crossing.curve_days as double)
            when curve.pv = curve.pv_before then cast(crossing.t_reached as double)
            else (crossing.t_reached - 1) + (earned.ev - curve.pv_before) / (curve.pv - curve.pv_before)
        end as es_days
    from earned
    inner join crossing
        on crossing.month = earned.month
        and crossing.project_id = earned.project_id
    left join curve
        on curve.month = earned.month
        and curve.project_id = earned.project_id
        and curve.t = crossing.t_reached
)

select
    month,
    project_id,
    case when at_days > 0 then es_days end as es_days,
    case when at_days > 0 then at_days end as at_days,
    case when at_days > 0 then es_days - at_days end as sv_t_days,
    case when at_days > 0 then es_days / at_days end as spi_t
from earned_schedule
