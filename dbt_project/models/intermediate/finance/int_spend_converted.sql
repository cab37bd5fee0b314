-- Spend posted by each window month's end, in the base currency at the rate of its posting month, mapped to
-- the project whose finance codes include its code. A line with no rate for its currency and posting month
-- stops the build with an error naming both: a silent 1.0 would misstate actual cost. amount_project is the
-- line in its project's currency at the same posting month's rates (amount x r_line / r_project, through the
-- base: DESIGN §5 Currency), the cost the project bore, on which its indices are computed.
with spend as (
    select * from {{ ref('int_spend_as_of_month') }}
    where posting_date <= {{ month_end_date('month') }}
),

rates as (
    select month, rate_month, currency, rate_to_base
    from {{ ref('int_fx_rates_as_of_month') }}
),

project_codes as (
    -- a set: "WBS-A;WBS-A" names WBS-A once, so its spend is counted once
    select distinct
        projects.month,
        projects.project_id,
        coalesce(projects.currency, '{{ var("base_currency") }}') as project_currency,
        trim(codes.project_code) as project_code
    from {{ ref('int_projects_as_of_month') }} as projects,
        unnest(string_split(projects.finance_codes, ';')) as codes (project_code)
    where trim(codes.project_code) <> ''
),

converted as (
    select
        spend.month,
        spend.document_id,
        spend.line_no,
        spend.posting_date,
        spend.posting_month,
        spend.project_code,
        spend.amount_local,
        spend.currency,
        spend.supplier,
        spend.cost_type,
        spend.snapshot_month,
        case
            when spend.currency = '{{ var("base_currency") }}' then 1.0
            when rates.rate_to_base is not null then rates.rate_to_base
            else {{ raise_error(
                "'no FX rate for ' || spend.currency || ' in ' || strftime(spend.posting_month, '%Y-%m')
                || ' (spend line ' || spend.document_id || '/' || spend.line_no || ' of ' || spend.source_file
                || '): add it to finance/fx_rates.csv'"
            ) }}
        end as rate_to_base
    from spend
    left join rates
        on rates.month = spend.month
        and rates.rate_month = spend.posting_month
        and rates.currency = spend.currency
),

mapped as (
    select
        project_codes.project_id,
        project_codes.project_currency,
        converted.*,
        converted.amount_local * converted.rate_to_base as amount_base,
        case
            when project_codes.project_id is null then null
            -- a line in the project's own currency needs no rate at all
            when converted.currency = project_codes.project_currency then 1.0
            when project_codes.project_currency = '{{ var("base_currency") }}' then converted.rate_to_base
            when project_rates.rate_to_base is not null then converted.rate_to_base / project_rates.rate_to_base
            else {{ raise_error(
                "'no FX rate for ' || project_codes.project_currency || ' in ' || strftime(converted.posting_month, '%Y-%m')
                || ' (the currency of project ' || project_codes.project_id || ', for its spend line '
                || converted.document_id || '/' || converted.line_no || '): add it to finance/fx_rates.csv'"
            ) }}
        end as rate_to_project
    from converted
    left join project_codes
        on project_codes.month = converted.month
        and project_codes.project_code = converted.project_code
    left join rates as project_rates
        on project_rates.month = converted.month
        and project_rates.rate_month = converted.posting_month
        and project_rates.currency = project_codes.project_currency
)

select
    *,
    amount_local * rate_to_project as amount_project
from mapped
