-- Each project's budget at completion in the base currency, at the rate of the month being computed.
with projects as (
    select * from {{ ref('int_projects_as_of_month') }}
),

rates as (
    select month, rate_month, currency, rate_to_base
    from {{ ref('int_fx_rates_as_of_month') }}
),

converted as (
    select
        projects.month,
        projects.project_id,
        projects.bac_local,
        projects.currency,
        case
            when projects.currency is null or projects.currency = '{{ var("base_currency") }}' then 1.0
            when rates.rate_to_base is not null then rates.rate_to_base
            else {{ raise_error(
                "'no FX rate for ' || projects.currency || ' in ' || strftime(projects.month, '%Y-%m')
                || ' (the BAC of project ' || projects.project_id || '): add it to finance/fx_rates.csv'"
            ) }}
        end as bac_rate_to_base
    from projects
    left join rates
        on rates.month = projects.month
        and rates.rate_month = projects.month
        and rates.currency = projects.currency
)

select
    month,
    project_id,
    bac_local,
    currency,
    bac_rate_to_base,
    bac_local * bac_rate_to_base as bac
from converted
