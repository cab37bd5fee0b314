{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='month'
    )
}}

-- Each month's delivery per vendor across the portfolio (DESIGN §5a vendor_delivery, per vendor): the register
-- milestones that name the vendor and are due by as_of, and the share done on time. Same milestones and rule as
-- int_kpi_schedule's vendor_delivery (on time = an actual by as_of no later than baseline + the tier's
-- tolerance; due without an actual is late), so the vendors' counts add up to the portfolio's KPI row.
with projects as (
    select
        month,
        project_id,
        as_of,
        tier
    from {{ ref('int_projects_as_of_month') }}
),

milestones as (
    select
        month,
        project_id,
        trim(milestone_vendor) as vendor,
        baseline_date,
        actual_date
    from {{ ref('int_milestones_as_of_month') }}
    where milestone_vendor is not null
        and trim(milestone_vendor) <> ''
),

assessed as (
    -- the inner join keeps window months only (int_projects_as_of_month holds no other)
    select
        projects.month,
        projects.project_id,
        milestones.vendor,
        milestones.baseline_date <= projects.as_of as is_due,
        (
            milestones.baseline_date <= projects.as_of
            and milestones.actual_date is not null
            and milestones.actual_date <= projects.as_of
            and milestones.actual_date <= milestones.baseline_date + {{ tolerance_days('projects.tier') }}
        ) as is_on_time
    from projects
    inner join milestones
        on milestones.month = projects.month
        and milestones.project_id = projects.project_id
),

per_vendor as (
    select
        month,
        vendor,
        count(distinct project_id) as projects,
        count(case when is_due then 1 end) as milestones_due,
        count(case when is_due and is_on_time then 1 end) as milestones_on_time
    from assessed
    group by month, vendor
)

select
    month,
    vendor,
    projects,
    milestones_due,
    milestones_on_time,
    -- null while none of the vendor's milestones is due: nothing to rate yet
    cast(milestones_on_time as double precision) / nullif(milestones_due, 0) as on_time_rate
from per_vendor
