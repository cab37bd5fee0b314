-- The earned-value arithmetic of DESIGN §5 on BAC, PV, EV and AC. Ratios are null when their divisor is 0 or
-- less. Once past its baseline start, a project with no spend (or credit notes only, AC <= 0) has no CPI and no
-- estimates: its cost cannot be measured (a data gap, graded Unknown), and EAC = AC + BAC - EV would claim it is
-- on budget. Before its start, AC = 0 gives EAC = BAC. The inputs carry one rate per project and month, so the
-- ratios here are the project's-currency ones (DESIGN §5 Currency); eac_local is EAC back in that currency.
with inputs as (
    select * from {{ ref('int_project_evm_inputs') }}
),

variances as (
    select
        month,
        project_id,
        bac,
        pv,
        ev,
        ac,
        eac_target,
        planned_fraction,
        bac_local,
        ac_local,
        ac_historical_base,
        fx_rate_to_base,
        coalesce(as_of >= baseline_start, true) as is_past_baseline_start,
        ev - pv as sv,
        ev - ac as cv,
        case when pv > 0 then ev / pv end as spi,
        case when ac > 0 then ev / ac end as cpi
    from inputs
),

estimates as (
    select
        *,
        case
            when ac <= 0 and is_past_baseline_start then null
            -- before its start, no plan rows yet (EV null) is normal: EAC = BAC
            when not is_past_baseline_start and ev is null then ac + bac
            when cpi is null or cpi = 0 then ac + bac - ev
            else bac / cpi
        end as eac
    from variances
)

select
    month,
    project_id,
    bac,
    pv,
    ev,
    ac,
    sv,
    cv,
    spi,
    cpi,
    eac,
    eac - ac as etc,
    bac - eac as vac,
    case when bac > ac then (bac - ev) / (bac - ac) end as tcpi,
    -- against a target that is not derived from the indices (against BAC / CPI it would always equal CPI)
    case when eac_target > ac then (bac - ev) / (eac_target - ac) end as tcpi_eac,
    ac + (bac - ev) / nullif(cpi * spi, 0) as eac_cpi_spi,
    (eac - bac) / nullif(bac, 0) as cost_overrun_pct,
    cv / nullif(ev, 0) as cv_pct,
    sv / nullif(pv, 0) as sv_pct,
    ev / nullif(bac, 0) as percent_complete,
    ac / nullif(bac, 0) as percent_spent,
    planned_fraction,
    bac_local,
    ac_local,
    eac / nullif(fx_rate_to_base, 0) as eac_local,
    ac_historical_base,
    fx_rate_to_base
from estimates
