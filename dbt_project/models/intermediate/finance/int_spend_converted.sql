-- Spend posted by each window month's end, in the base currency at the rate of its posting month, mapped to
-- the project whose finance codes include its code. A line with no rate for its currency and posting month
-- stops the build with an error naming both: a silent 1.0 would misstate actual cost.
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
)

select
    project_codes.project_id,
    converted.*,
    converted.amount_local * converted.rate_to_base as amount_base
from converted
left join project_codes
    on project_codes.month = converted.month
    and project_codes.project_code = converted.project_code
