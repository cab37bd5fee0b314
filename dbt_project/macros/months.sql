{# The months of the partition window as DATEs (first day of each month), inclusive of both ends. #}
{% macro window_months() -%}
    select cast(month_start as date) as month
    from generate_series(
        cast('{{ var("month_start") }}' as date),
        cast('{{ var("month_end") }}' as date),
        interval 1 month
    ) as months(month_start)
{%- endmacro %}

{# The last calendar day of the month that starts on `month`. #}
{% macro month_end_date(month) -%}
    cast({{ dbt.last_day(month, "month") }} as date)
{%- endmacro %}

{#
  Rows of a full-snapshot source (the register) as they stood in each window month: the rows of the latest
  snapshot at or before that month. A register that is missing for a month is served from the one before.
#}
{% macro as_of_snapshot(snapshot_relation) -%}
    with months as (
        {{ window_months() }}
    ),

    snapshots as (
        select distinct snapshot_month
        from {{ snapshot_relation }}
    ),

    chosen_snapshot as (
        select
            months.month,
            max(snapshots.snapshot_month) as snapshot_month
        from months
        inner join snapshots
            on snapshots.snapshot_month <= months.month
        group by months.month
    )

    select
        chosen_snapshot.month,
        snapshot_rows.*
    from chosen_snapshot
    inner join {{ snapshot_relation }} as snapshot_rows
        on snapshot_rows.snapshot_month = chosen_snapshot.snapshot_month
{%- endmacro %}
