{#
  The status narrative's wording (DESIGN §5c, models/marts/fct_status_narrative_month.sql): one spelling per kind
  of fact, so the same facts always give the same words. Each macro returns a SQL expression of varchar, null
  when its value is null (|| propagates null), in portable SQL.
#}

{# A fraction as a whole percent with its sign: 0.14 -> '+14 %'. #}
{% macro narrative_signed_percent(value) -%}
    {%- set rounded = round_to(value ~ ' * 100', 0) -%}
    (case when {{ rounded }} > 0 then '+' else '' end || cast(cast({{ rounded }} as integer) as varchar) || ' %')
{%- endmacro %}

{# A probability as a whole percent, but never "0 %" or "100 %" for what is merely unlikely or likely. #}
{% macro narrative_chance_percent(value) -%}
    {%- set rounded = round_to(value ~ ' * 100', 0) -%}
    (case when {{ value }} > 0 and {{ rounded }} < 1 then '<1 %' when {{ value }} < 1 and {{ rounded }} > 99
        then '>99 %' else cast(cast({{ rounded }} as integer) as varchar) || ' %' end)
{%- endmacro %}

{# A ratio (CPI, SPI) to 2 decimals. #}
{% macro narrative_two_decimals(value) -%}
    cast(cast({{ round_to(value, 2) }} as numeric(12, 2)) as varchar)
{%- endmacro %}

{# A date as YYYY-MM-DD. #}
{% macro narrative_iso_date(value) -%}
    cast(cast({{ value }} as date) as varchar)
{%- endmacro %}

{# A finish slip in days: '3 days late', '1 day early', 'on baseline'. #}
{% macro narrative_slip_words(value) -%}
    (case when {{ value }} > 0 then cast({{ value }} as varchar) || case when {{ value }} = 1 then ' day' else ' days' end
        || ' late' when {{ value }} < 0 then cast(-{{ value }} as varchar)
        || case when {{ value }} = -1 then ' day' else ' days' end || ' early'
        when {{ value }} = 0 then 'on baseline' end)
{%- endmacro %}

{# A count with its noun, singular or plural: '1 P1', '3 P1s'. #}
{% macro narrative_counted(value, singular, plural) -%}
    (cast({{ value }} as varchar) || case when {{ value }} = 1 then ' {{ singular }}' else ' {{ plural }}' end)
{%- endmacro %}

{# The English name of a date's month (no locale function: the same words on every engine). #}
{% macro narrative_month_name(value) -%}
    (case extract(month from {{ value }})
    {%- for name in ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
        'October', 'November', 'December'] %} when {{ loop.index }} then '{{ name }}'{% endfor %} end)
{%- endmacro %}

{# The tier's cost threshold of a grade (var rag_thresholds) as a whole percent: '10 %' for tier 1's Red. #}
{% macro narrative_cost_threshold(tier, grade) -%}
    (case
    {%- for tier_key, limits in var('rag_thresholds').items() -%}
        {%- for name in ['amber', 'red'] %} when {{ tier }} = {{ tier_key }} and {{ grade }} = '{{ name | title }}'
            then '{{ (limits[name] * 100) | round | int }} %'{% endfor -%}
    {%- endfor %} end)
{%- endmacro %}

{# A grade's move, e.g. "Cost turned Red from Amber"; null when the grade did not move. #}
{% macro narrative_grade_move(label, grade, previous_grade, previous_month_name) -%}
    (case when {{ grade }} is not null and {{ previous_grade }} is null
        then '{{ label }} now graded ' || {{ grade }} || ' (not graded in ' || {{ previous_month_name }} || ')'
        when {{ grade }} is null and {{ previous_grade }} is not null
        then '{{ label }} no longer graded (' || {{ previous_grade }} || ' in ' || {{ previous_month_name }} || ')'
        when {{ grade }} <> {{ previous_grade }} then '{{ label }} turned ' || {{ grade }} || ' from ' || {{ previous_grade }} end)
{%- endmacro %}
