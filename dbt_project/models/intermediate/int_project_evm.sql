-- The earned-value arithmetic of DESIGN §5 on BAC, PV, EV and AC; ratios are null when their divisor is 0.
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
        ev - pv as sv,
        ev - ac as cv,
        ev / nullif(pv, 0) as spi,
        ev / nullif(ac, 0) as cpi
    from inputs
),

estimates as (
    select
        *,
        case when cpi is not null and cpi <> 0 then bac / cpi else ac + bac - ev end as eac
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
    (bac - ev) / nullif(bac - ac, 0) as tcpi,
    (eac - bac) / nullif(bac, 0) as cost_overrun_pct
from estimates
