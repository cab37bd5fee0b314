-- Jira issues, one row per issue and export month, keyed on the issue's identity (DESIGN §4).
-- Jira's `Issue id` survives a move between projects (the key does not), but it is unique within one Jira site
-- only: two sites both number their issues from 10000. So the same id under another key is one item moving only
-- when the old key no longer appears in its own project's export of the same or a later snapshot; when both
-- exports still list it, they are two items, and the gate warns naming both files and keys
-- (issue_id_listed_under_two_keys in expectations/work_items.json).
with recursive source as (
    select * from {{ source('raw', 'work_items') }}
    where source = 'jira'
),

known_ids as (
    -- a key-only row (a "current fields" export without the Issue id column, or a row loaded before item_id
    -- existed) takes the id its key has in any snapshot, so the two exports hold one item, not two
    select
        item_key,
        max(item_id) as known_issue_id
    from source
    where item_id is not null
    group by item_key
),

identified as (
    select
        source.snapshot_month,
        source.item_key,
        coalesce(source.item_id, known_ids.known_issue_id, source.item_key) as issue_id,
        source.plan_key,
        source.item_type,
        source.summary,
        source.status,
        source.status_category,
        source.resolution,
        source.story_points,
        source.created_at,
        source.resolved_at,
        source.due_date,
        source.parent_key,
        source.sprint,
        source.labels,
        source.source_file,
        source.source_row
    from source
    left join known_ids
        on source.item_key = known_ids.item_key
),

issue_keys as (
    -- each key an issue id was listed under: its project and the snapshots that listed it
    select
        issue_id,
        item_key,
        max(plan_key) as plan_key,
        min(created_at) as created_at,
        min(snapshot_month) as first_listed,
        max(snapshot_month) as last_listed
    from identified
    group by issue_id, item_key
),

project_exports as (
    select distinct
        plan_key,
        snapshot_month
    from identified
),

move_candidates as (
    -- the new key first appears after the old key's last listing, and the old key's project has an export of
    -- that snapshot or a later one without it: the issue left that project. When the old project was never
    -- exported again, the exports cannot tell; a move keeps the issue's Created date (another site's issue of the
    -- same id would not share it, a day's time zone aside), so that decides
    select distinct
        old_key.issue_id,
        old_key.item_key as moved_from_key,
        old_key.last_listed as moved_from_last_listed,
        new_key.item_key as moved_to_key,
        new_key.first_listed as moved_to_first_listed
    from issue_keys as old_key
    inner join issue_keys as new_key
        on old_key.issue_id = new_key.issue_id
        and old_key.item_key <> new_key.item_key
        and old_key.last_listed < new_key.first_listed
    left join project_exports
        on old_key.plan_key = project_exports.plan_key
        and project_exports.snapshot_month >= new_key.first_listed
    where
        project_exports.plan_key is not null
        or old_key.created_at is null
        or new_key.created_at is null
        or {{ dbt.datediff('old_key.created_at', 'new_key.created_at', 'day') }} between -1 and 1
),

moves_to_the_latest_predecessor as (
    -- a key moved from the key listed last before it ...
    select *
    from move_candidates
    qualify row_number() over (
            partition by issue_id, moved_to_key
            order by moved_from_last_listed desc, moved_from_key asc
        ) = 1
),

moves as (
    -- ... and a key moved on once, to the key listed first after it: a chain of moves, never a fork
    select
        issue_id,
        moved_from_key,
        moved_to_key
    from moves_to_the_latest_predecessor
    qualify row_number() over (
            partition by issue_id, moved_from_key
            order by moved_to_first_listed, moved_to_key
        ) = 1
),

chains as (
    -- every key with the key its item was first listed under (moves run forward in time: no cycle)
    select
        issue_keys.issue_id,
        issue_keys.item_key,
        issue_keys.item_key as first_key
    from issue_keys
    left join moves
        on issue_keys.issue_id = moves.issue_id
        and issue_keys.item_key = moves.moved_to_key
    where moves.moved_to_key is null

    union all

    select
        moves.issue_id,
        moves.moved_to_key as item_key,
        chains.first_key
    from chains
    inner join moves
        on chains.issue_id = moves.issue_id
        and chains.item_key = moves.moved_from_key
),

items_per_issue_id as (
    select
        issue_id,
        count(distinct first_key) as items
    from chains
    group by issue_id
),

identities as (
    -- one item per chain: the Issue id itself, or, where two sites share the id, the id and its first key
    select
        chains.issue_id,
        chains.item_key,
        case
            when items_per_issue_id.items > 1 then chains.issue_id || '@' || chains.first_key
            else chains.issue_id
        end as item_id
    from chains
    inner join items_per_issue_id
        on chains.issue_id = items_per_issue_id.issue_id
),

deduplicated as (
    -- an issue listed twice in one month's exports (twice in a file, or in two overlapping exports): the last
    -- row wins; the conservation test (plan_rows_conserved_through_staging) accepts no other loss
    select
        identified.*,
        identities.item_id
    from identified
    inner join identities
        on identified.issue_id = identities.issue_id
        and identified.item_key = identities.item_key
    qualify row_number() over (
            partition by identified.snapshot_month, identities.item_id
            order by identified.source_file desc, identified.source_row desc
        ) = 1
),

renamed as (
    select
        snapshot_month,
        'jira' as work_item_source,
        item_key,
        item_id,
        issue_id,
        plan_key as jira_project_key,
        item_type,
        summary as item_summary,
        status as item_status,
        status_category,
        resolution,
        -- DESIGN §5: the resolutions of jira.out_of_scope_resolutions take an item out of scope (without case)
        {{ in_list_without_case('resolution', var('jira_out_of_scope_resolutions')) }} as is_out_of_scope,
        story_points,
        created_at,
        resolved_at,
        due_date,
        parent_key,
        sprint,
        labels,
        source_file,
        source_row
    from deduplicated
)

select
    *,
    (status_category = 'Done' and not is_out_of_scope) as is_done
from renamed
