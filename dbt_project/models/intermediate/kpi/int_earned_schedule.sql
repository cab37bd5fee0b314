-- Earned schedule (Lipke; DESIGN §5): ES is the t at which the daily PV curve reaches EV, interpolated linearly
-- between t-1 and t (PV(0) = 0). Where EV sits on a flat stretch of the curve (no work planned there; PV equal
-- to EV within a cent over [t1, t2]) the crossing is not unique: ES is AT clamped to the stretch, so a project
-- that did all the work planned to date is on schedule. ES = PD once EV reaches BAC. PD is the curve's own: the
-- first day PV(t) >= BAC - 0.01 (for a schedule plan days(baseline start, its last task's baseline finish), not
-- the register's finish), so ES reaches PD exactly when PV reaches BAC; int_earned_schedule_gaps names a register
-- that disagrees. AT comes from the inputs (it stops at the actual finish). Everything is null while AT <= 0.
-- IEAC(t)'s finish is never before as_of for unfinished work: it is null then (a date already past is no
-- forecast, and a clamped one would invent a finish); is_ieac_t_finish_withheld says when.
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
    select
        month,
        project_id,
        bac,
        ev,
        at_days,
        as_of,
        baseline_start,
        actual_finish
    from {{ ref('int_project_evm_inputs') }}
),

crossing as (
    select
        earned.month,
        earned.project_id,
        min(curve.t) filter (where curve.pv >= earned.ev) as t_reached,
        min(curve.t) filter (where abs(curve.pv - earned.ev) <= 0.01) as flat_from,
        max(curve.t) filter (where abs(curve.pv - earned.ev) <= 0.01) as flat_to,
        max(curve.t) as curve_days,
        -- PD: the day the curve reaches BAC (within a cent)
        min(curve.t) filter (where curve.pv >= earned.bac - 0.01) as pd_days
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
        earned.as_of,
        earned.baseline_start,
        earned.actual_finish,
        crossing.pd_days,
        case
            when earned.ev is null then null
            when earned.ev >= earned.bac - 0.01 and crossing.pd_days is not null
                then cast(crossing.pd_days as double precision)
            -- nothing earned: on the flat start of the curve (PV(0) = 0 up to flat_to), else at its origin
            when earned.ev <= 0.01
                then cast(least(greatest(earned.at_days, 0), coalesce(crossing.flat_to, 0)) as double precision)
            when crossing.flat_from is not null
                then cast(least(greatest(earned.at_days, crossing.flat_from), crossing.flat_to) as double precision)
            -- EV beyond the whole curve: the schedule is fully earned
            when crossing.t_reached is null then cast(crossing.curve_days as double precision)
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
),

indices as (
    select
        month,
        project_id,
        as_of,
        baseline_start,
        actual_finish,
        pd_days,
        case when at_days > 0 then es_days end as es_days,
        case when at_days > 0 then at_days end as at_days,
        case when at_days > 0 then es_days - at_days end as sv_t_days,
        case when at_days > 0 then es_days / at_days end as spi_t,
        case when at_days > 0 and at_days < pd_days then (pd_days - es_days) / (pd_days - at_days) end as tspi,
        case when at_days > 0 then pd_days / nullif(es_days / at_days, 0) end as ieac_t_days
    from earned_schedule
),

forecast as (
    select
        *,
        -- the finish the schedule performance to date points to (rounded to the nearest day; none past a
        -- century: a near-zero SPI(t) would make a date no calendar holds)
        case when ieac_t_days <= 36500
                then baseline_start + cast(round(ieac_t_days) as integer) - 1
        end as ieac_t_finish_raw
    from indices
)

select
    month,
    project_id,
    pd_days,
    es_days,
    at_days,
    sv_t_days,
    spi_t,
    tspi,
    ieac_t_days,
    -- never before as_of while the work is unfinished (no actual finish yet)
    case
        when actual_finish is not null or ieac_t_finish_raw >= as_of then ieac_t_finish_raw
    end as ieac_t_finish,
    actual_finish is null and ieac_t_finish_raw < as_of as is_ieac_t_finish_withheld
from forecast
