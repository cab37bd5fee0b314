{#
  `value` rounded to `places` decimals on every adapter (DESIGN §9). PostgreSQL has round(numeric, integer) but
  no round(double precision, integer), so the default casts to numeric first (PostgreSQL's unconstrained numeric
  keeps every digit). DuckDB rounds its doubles directly: its bare `numeric` is decimal(18, 3), which would cut a
  fraction to 3 decimals before the rounding.
#}
{% macro round_to(value, places) -%}
    {{ return(adapter.dispatch('round_to', 'steerpack')(value, places)) }}
{%- endmacro %}

{% macro default__round_to(value, places) -%}
    round(cast({{ value }} as numeric), {{ places }})
{%- endmacro %}

{% macro duckdb__round_to(value, places) -%}
    round({{ value }}, {{ places }})
{%- endmacro %}

{#
  The median of `value` over the group, on every adapter (DESIGN §9): the SQL standard's ordered-set aggregate,
  which DuckDB and PostgreSQL both read (DuckDB's own median() is not PostgreSQL's).
#}
{% macro median(value) -%}
    percentile_cont(0.5) within group (order by {{ value }})
{%- endmacro %}
