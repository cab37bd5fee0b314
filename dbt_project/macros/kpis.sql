{#
  The KPI framework's targets (DESIGN §5a) as rows: one per KPI and target tier ('1', '2', '3' for a project of
  that tier, 'portfolio' for the portfolio row), with the KPI's label, which way is good, its unit, the met and
  near lines, the inputs that turn it on, and what its secondary value is (label and unit, or nulls). steerpack.yaml's kpi_targets (var kpi_targets, per KPI and tier)
  win; then the catalog's defaults (var kpi_catalog); schedule and cost variance default to the tier's
  rag_thresholds (amber is met, red is near), the portfolio row to the middle tier's. Rendered as literals, so
  every adapter reads it.
#}
{% macro kpi_target_rows() -%}
    {%- set catalog = var('kpi_catalog') -%}
    {%- set configured = var('kpi_targets') -%}
    {%- set rag = var('rag_thresholds') -%}
    {%- set rows = [] -%}
    {%- for kpi_name, kpi in catalog.items() -%}
        {%- for target_tier in ['1', '2', '3', 'portfolio'] -%}
            {%- set override = (configured.get(kpi_name) or {}).get(target_tier) -%}
            {%- if override -%}
                {%- set met, near = override['met'], override['near'] -%}
            {%- elif kpi['met'] is none -%}
                {%- set tier_thresholds = rag[target_tier if target_tier != 'portfolio' else '2'] -%}
                {%- set met, near = tier_thresholds['amber'], tier_thresholds['red'] -%}
            {%- else -%}
                {%- set met, near = kpi['met'], kpi['near'] -%}
            {%- endif -%}
            {%- do rows.append(
                "select "
                ~ "cast('" ~ kpi_name ~ "' as varchar(64)) as kpi, "
                ~ "cast('" ~ target_tier ~ "' as varchar(16)) as target_tier, "
                ~ "cast('" ~ kpi['label'] | replace("'", "''") ~ "' as varchar(128)) as kpi_label, "
                ~ "cast('" ~ kpi['better'] ~ "' as varchar(8)) as better, "
                ~ "cast('" ~ kpi['unit'] ~ "' as varchar(16)) as kpi_unit, "
                ~ "cast(" ~ met ~ " as double precision) as target_met, "
                ~ "cast(" ~ near ~ " as double precision) as target_near, "
                ~ "cast('" ~ kpi['inputs'] | replace("'", "''") ~ "' as varchar(512)) as kpi_inputs, "
                ~ (
                    "cast('" ~ kpi['secondary'] | replace("'", "''") ~ "' as varchar(128)) as secondary_label, "
                    ~ "cast('" ~ kpi['secondary_unit'] ~ "' as varchar(16)) as secondary_unit"
                    if kpi.get('secondary') else
                    "cast(null as varchar(128)) as secondary_label, cast(null as varchar(16)) as secondary_unit"
                )
            ) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ rows | join('\n    union all\n    ') }}
{%- endmacro %}

{# The catalog's KPI names, in the order of DESIGN §5a, with their position (the scorecard's row order). #}
{% macro kpi_order_rows() -%}
    {%- set rows = [] -%}
    {%- for kpi_name in var('kpi_catalog') -%}
        {%- do rows.append("select cast('" ~ kpi_name ~ "' as varchar(64)) as kpi, " ~ loop.index ~ " as kpi_order") -%}
    {%- endfor -%}
    {{ rows | join('\n    union all\n    ') }}
{%- endmacro %}

{#
  A KPI's status against its targets (DESIGN §5a): Met, Near (inside the amber band), Missed, or Not tracked when
  there is no value. Compared at 9 decimals, so 19 / 20 is exactly at a 0.95 target.
#}
{% macro kpi_status(value, better, met, near) -%}
    case
        when {{ value }} is null then 'Not tracked'
        when {{ better }} = 'higher' and {{ round_to(value, 9) }} >= {{ met }} then 'Met'
        when {{ better }} = 'higher' and {{ round_to(value, 9) }} >= {{ near }} then 'Near'
        when {{ better }} = 'lower' and {{ round_to(value, 9) }} <= {{ met }} then 'Met'
        when {{ better }} = 'lower' and {{ round_to(value, 9) }} <= {{ near }} then 'Near'
        else 'Missed'
    end
{%- endmacro %}

{#
  One KPI's measures in the int_kpi_* contract's columns, names and types (month, project_id, kpi, kpi_value,
  kpi_numerator, kpi_denominator, secondary_value, not_tracked_reason), for a select that measures one KPI: the
  scorecard unions such selects. A figure not given is null; `project_id=none` makes the portfolio row.
#}
{% macro kpi_measure(kpi, value, numerator=none, denominator=none, secondary=none, reason=none, project_id='project_id', month='month') -%}
    {{ month }} as month,
    {{ project_id if project_id is not none else 'cast(null as varchar)' }} as project_id,
    '{{ kpi }}' as kpi,
    cast({{ value }} as double precision) as kpi_value,
    cast({{ numerator if numerator is not none else 'null' }} as double precision) as kpi_numerator,
    cast({{ denominator if denominator is not none else 'null' }} as double precision) as kpi_denominator,
    cast({{ secondary if secondary is not none else 'null' }} as double precision) as secondary_value,
    cast({{ reason if reason is not none else 'null' }} as varchar) as not_tracked_reason
{%- endmacro %}
