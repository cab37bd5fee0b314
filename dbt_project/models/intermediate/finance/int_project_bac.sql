-- Each project's budget at completion, and the rate its money columns are translated into the base currency at
-- (DESIGN §5 Currency): the month's rate (fx_policy current), or the project's budget_fx_rate (fx_policy
-- budget_rate; the month's rate when the register gives none). One rate per project and month, so every index
-- computed on the translated values equals the one in the project's currency.
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
            {% if var('fx_policy', 'current') == 'budget_rate' -%}
            when projects.budget_fx_rate is not null then projects.budget_fx_rate
            {% endif -%}
            when rates.rate_to_base is not null then rates.rate_to_base
            else {{ raise_error(
                "'no FX rate for ' || projects.currency || ' in ' || strftime(projects.month, '%Y-%m')
                || ' (the BAC of project ' || projects.project_id || '): add it to finance/fx_rates.csv'"
            ) }}
        end as bac_rate_to_base,
        case
            when projects.currency is null or projects.currency = '{{ var("base_currency") }}' then 'base'
            {% if var('fx_policy', 'current') == 'budget_rate' -%}
            when projects.budget_fx_rate is not null then 'budget'
            {% endif -%}
            else 'month'
        end as fx_rate_basis
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
    fx_rate_basis,
    bac_local * bac_rate_to_base as bac
from converted
