{#
  The partition window's first and last month (DATEs, first day of the month, inclusive), from the vars.

  A full refresh (`dbt build --full-refresh`) rebuilds the incremental marts from nothing, so it widens the
  window to every month the raw data holds (and the vars' window, if wider): a one-month window would otherwise
  leave only that month in the marts. As dagster-open-platform does, the refresh drops the date window on purpose.
  A first run on an empty warehouse (not is_incremental()) keeps its window: a backfill's first run legitimately
  builds just the months it was asked for.
#}
{% macro window_start() -%}
    {%- if flags.FULL_REFRESH -%}
        least(cast('{{ var("month_start") }}' as date), coalesce(
            (select min(snapshot_month) from {{ source('raw', 'load_log') }}), cast('{{ var("month_start") }}' as date)
        ))
    {%- else -%}
        cast('{{ var("month_start") }}' as date)
    {%- endif -%}
{%- endmacro %}

{% macro window_end() -%}
    {%- if flags.FULL_REFRESH -%}
        greatest(cast('{{ var("month_end") }}' as date), coalesce(
            (select max(snapshot_month) from {{ source('raw', 'load_log') }}), cast('{{ var("month_end") }}' as date)
        ))
    {%- else -%}
        cast('{{ var("month_end") }}' as date)
    {%- endif -%}
{%- endmacro %}

{# The first day of the month before the month that starts on `month`. #}
{% macro previous_month(month) -%}
    cast({{ month }} - interval 1 month as date)
{%- endmacro %}

{# The first day of the month after the month that starts on `month`. #}
{% macro next_month(month) -%}
    cast({{ month }} + interval 1 month as date)
{%- endmacro %}

{# The months of the partition window as DATEs (first day of each month), inclusive of both ends. #}
{% macro window_months(months_before=0) -%}
    -- generate_series as a list function: its bounds may be subqueries (a full refresh's window)
    select cast(unnest(generate_series(
        {{ window_start() }} - interval {{ months_before }} month,
        {{ window_end() }},
        interval 1 month
    )) as date) as month
{%- endmacro %}

{#
  A planned fraction: numerator / denominator clamped to [0, 1] (DESIGN §5), null when the denominator is 0.
  Cast to double first, so two day counts never divide as integers.
#}
{% macro clamped_fraction(numerator, denominator) -%}
    least(greatest(cast({{ numerator }} as double precision) / nullif({{ denominator }}, 0), 0.0), 1.0)
{%- endmacro %}

{# Calendar days from a to b, inclusive of both ends (DESIGN §5: days(a, b) = b - a + 1). #}
{% macro days_between(a, b) -%}
    ({{ dbt.datediff(a, b, 'day') }} + 1)
{%- endmacro %}

{# The last calendar day of the month that starts on `month`. #}
{% macro month_end_date(month) -%}
    cast({{ dbt.last_day(month, "month") }} as date)
{%- endmacro %}

{#
  Rows of a full-snapshot source as they stood in each window month: for each month (and each value of
  `partition_by`, e.g. a plan's file), the rows of the latest snapshot at or before that month. A source
  missing from a month's drop is served from the snapshot before, never from a month whose gate blocked the
  source (`source_group`: register, plans, finance, incidents; DESIGN §4a): that snapshot serves its own month
  (a draft) only.
#}
{% macro as_of_snapshot(snapshot_relation, source_group, partition_by=[], months_before=0) -%}
    with months as (
        {{ window_months(months_before) }}
    ),

    snapshots as (
        select distinct
            {% for column in partition_by %}{{ column }}, {% endfor %}
            snapshot_month
        from {{ snapshot_relation }}
    ),

    chosen_snapshot as (
        select
            months.month,
            {% for column in partition_by %}snapshots.{{ column }}, {% endfor %}
            max(snapshots.snapshot_month) as snapshot_month
        from months
        inner join snapshots
            on snapshots.snapshot_month <= months.month
        where {{ serves_month('snapshots.snapshot_month', 'months.month', source_group) }}
        group by months.month{% for column in partition_by %}, snapshots.{{ column }}{% endfor %}
    )

    select
        chosen_snapshot.month,
        snapshot_rows.*
    from chosen_snapshot
    inner join {{ snapshot_relation }} as snapshot_rows
        on snapshot_rows.snapshot_month = chosen_snapshot.snapshot_month
        {% for column in partition_by %}and snapshot_rows.{{ column }} = chosen_snapshot.{{ column }}
        {% endfor %}
{%- endmacro %}

{#
  Rows of an incremental source (work items, spend, incidents) as they stood in each window month: for each
  natural key, the row from the latest snapshot at or before the month (never one a blocked month loaded, but for
  that month itself). Overlapping or cumulative extracts therefore never count a key twice.
#}
{% macro as_of_latest_per_key(relation, key_columns, source_group) -%}
    with months as (
        {{ window_months() }}
    ),

    candidates as (
        select
            months.month,
            keyed_rows.*
        from months
        inner join {{ relation }} as keyed_rows
            on keyed_rows.snapshot_month <= months.month
        where {{ serves_month('keyed_rows.snapshot_month', 'months.month', source_group) }}
    )

    select *
    from candidates
    qualify row_number() over (
        partition by month, {{ key_columns | join(', ') }}
        order by snapshot_month desc
    ) = 1
{%- endmacro %}

{#
  Whether a snapshot of `source_group` may serve `month`: its own month always; a later month only when the
  snapshot's month was not blocked by that source (int_source_snapshots_blocked).
#}
{% macro serves_month(snapshot_month, month, source_group) -%}
    ({{ snapshot_month }} = {{ month }} or not exists (
        select 1 from {{ ref('int_source_snapshots_blocked') }} as blocked_snapshots
        where blocked_snapshots.snapshot_month = {{ snapshot_month }}
            and blocked_snapshots.source_group = '{{ source_group }}'
    ))
{%- endmacro %}
