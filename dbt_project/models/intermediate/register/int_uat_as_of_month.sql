-- Each month's register UAT rows (the window and the month before it, for month-on-month comparisons): the
-- rows of the register snapshot that serves the month, the one its projects come from
-- (int_register_snapshots_as_of_month: the latest register at or before the month, never one a blocked month
-- loaded).
-- UAT is an optional sheet (DESIGN §3) and belongs to its register: a month whose register has no UAT
-- rows has none here (its KPIs are not tracked), never the rows of an older register that had the sheet.
with register_snapshots as (
    select * from {{ ref('int_register_snapshots_as_of_month') }}
),

sheet_rows as (
    select * from {{ ref('stg_register__uat') }}
),

served as (
    select
        register_snapshots.month,
        sheet_rows.snapshot_month,
        sheet_rows.project_id,
        sheet_rows.release_name,
        sheet_rows.uat_as_of_date,
        sheet_rows.cases_planned,
        sheet_rows.cases_executed,
        sheet_rows.cases_passed,
        sheet_rows.source_file,
        sheet_rows.source_row
    from register_snapshots
    inner join sheet_rows
        on register_snapshots.snapshot_month = sheet_rows.snapshot_month
)

select * from served
