-- Each month's register Decisions rows (the window and the month before it, for month-on-month comparisons): the
-- rows of the register snapshot that serves the month, the one its projects come from
-- (int_register_snapshots_as_of_month: the latest register at or before the month, never one a blocked month
-- loaded).
-- Decisions is an optional sheet (DESIGN §3) and belongs to its register: a month whose register has no Decisions
-- rows has none here (its KPIs are not tracked), never the rows of an older register that had the sheet.
with register_snapshots as (
    select * from {{ ref('int_register_snapshots_as_of_month') }}
),

sheet_rows as (
    select * from {{ ref('stg_register__decisions') }}
),

served as (
    select
        register_snapshots.month,
        sheet_rows.snapshot_month,
        sheet_rows.decision_id,
        sheet_rows.project_id,
        sheet_rows.decision_title,
        sheet_rows.decision_owner,
        sheet_rows.raised_date,
        sheet_rows.needed_by_date,
        sheet_rows.decided_date,
        sheet_rows.decision_outcome,
        sheet_rows.source_file,
        sheet_rows.source_row
    from register_snapshots
    inner join sheet_rows
        on register_snapshots.snapshot_month = sheet_rows.snapshot_month
)

select * from served
