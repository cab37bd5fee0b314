{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='month'
    )
}}

-- Each month's readiness checklist by release and area, with the open items named, for the Go/No-Go readiness
-- page (DESIGN §7: readiness by area with the open items). Only the areas a release has rows in are listed.
with projects as (
    select month, project_id
    from {{ ref('int_projects_as_of_month') }}
),

readiness as (
    -- window months only: the sheet's model also serves the month before the window
    select
        readiness_rows.month,
        readiness_rows.project_id,
        readiness_rows.release_name,
        readiness_rows.readiness_area,
        readiness_rows.readiness_item,
        readiness_rows.readiness_status,
        readiness_rows.due_date
    from {{ ref('int_readiness_as_of_month') }} as readiness_rows
    inner join projects
        on projects.month = readiness_rows.month
        and projects.project_id = readiness_rows.project_id
),

area_counts as (
    select
        month,
        project_id,
        release_name,
        readiness_area,
        count(*) filter (where readiness_status <> 'N/A') as items_applicable,
        count(*) filter (where readiness_status = 'Done') as items_done,
        count(*) filter (where readiness_status = 'Open') as items_open
    from readiness
    group by month, project_id, release_name, readiness_area
),

open_items as (
    -- the open items' names in due-date order (undated last: ascending order puts nulls last on DuckDB and PostgreSQL), for the page to list under the area
    select
        month,
        project_id,
        release_name,
        readiness_area,
        {{ dbt.listagg(
            'readiness_item',
            "'; '",
            'order by due_date, readiness_item'
        ) }} as open_items
    from readiness
    where readiness_status = 'Open'
    group by month, project_id, release_name, readiness_area
)

select
    area_counts.month,
    area_counts.project_id,
    area_counts.release_name,
    area_counts.readiness_area,
    area_counts.items_applicable,
    area_counts.items_done,
    area_counts.items_open,
    cast(area_counts.items_done as double precision) / nullif(area_counts.items_applicable, 0) as readiness_pct,
    open_items.open_items
from area_counts
left join open_items
    on open_items.month = area_counts.month
    and open_items.project_id = area_counts.project_id
    and open_items.release_name = area_counts.release_name
    and open_items.readiness_area = area_counts.readiness_area
