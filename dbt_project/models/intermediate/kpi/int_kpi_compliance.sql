-- The compliance KPI of DESIGN §5a, compliance_evidence, per window month and project and for the portfolio (the
-- KPI intermediate contract: fct_kpi_scorecard_month joins the targets and grades it). It reads the Evidence sheet
-- of the register serving the month. Only required evidence that is due counts: evidence due after as_of is not
-- yet owed, and a required row with no due date is owed now.
with projects as (
    select
        month,
        project_id,
        as_of
    from {{ ref('int_projects_as_of_month') }}
),

evidence as (
    select
        month,
        project_id,
        is_required,
        lower(evidence_status) as evidence_status,
        due_date
    from {{ ref('int_evidence_as_of_month') }}
),

assessed as (
    -- the inner join keeps window months only (int_projects_as_of_month holds no other) and listed projects
    select
        projects.month,
        projects.project_id,
        (
            coalesce(evidence.is_required, false)
            and (evidence.due_date is null or evidence.due_date <= projects.as_of)
        ) as is_required_due,
        evidence.evidence_status,
        evidence.due_date < projects.as_of as is_past_due
    from projects
    inner join evidence
        on projects.month = evidence.month
        and projects.project_id = evidence.project_id
),

project_counts as (
    select
        month,
        project_id,
        count(case when is_required_due then 1 end) as required_due,
        count(case when is_required_due and evidence_status = 'approved' then 1 end) as required_approved,
        count(case when is_required_due and evidence_status = 'missing' and is_past_due then 1 end)
            as required_overdue_missing
    from assessed
    group by month, project_id
),

portfolio_counts as (
    -- pooled: every listed project's required, due rows together
    select
        month,
        cast(null as varchar) as project_id,
        sum(required_due) as required_due,
        sum(required_approved) as required_approved,
        sum(required_overdue_missing) as required_overdue_missing
    from project_counts
    group by month
),

counts as (
    select * from project_counts
    union all
    select * from portfolio_counts
)

select
    month,
    project_id,
    'compliance_evidence' as kpi,
    cast(required_approved as double precision) / nullif(required_due, 0) as kpi_value,
    case when required_due > 0 then cast(required_approved as double precision) end as kpi_numerator,
    case when required_due > 0 then cast(required_due as double precision) end as kpi_denominator,
    case when required_due > 0 then cast(required_overdue_missing as double precision) end as secondary_value,
    case when required_due = 0 then 'no required evidence is due yet' end as not_tracked_reason
from counts
