{#
  RAG grade of a fraction against the tier's thresholds from steerpack.yaml (var rag_thresholds):
  above the amber threshold is Amber, above the red one Red; exactly at a threshold stays at the better grade.
  The value is rounded to 4 decimals first (round_to in portable.sql, which PostgreSQL also runs), so
  0.05000000000000007 (float arithmetic's 5 %) is at 5 %.
#}
{% macro rag_grade(value, tier) -%}
    case
        when {{ value }} is null then null
        {% for tier_key, limits in var('rag_thresholds').items() %}
        when {{ tier }} = {{ tier_key }} and {{ round_to(value, 4) }} > {{ limits['red'] }} then 'Red'
        when {{ tier }} = {{ tier_key }} and {{ round_to(value, 4) }} > {{ limits['amber'] }} then 'Amber'
        when {{ tier }} = {{ tier_key }} then 'Green'
        {% endfor %}
    end
{%- endmacro %}

{#
  RAG grade of a rate that should be high (milestones on time) against the tier's var milestone_rate_thresholds:
  below the amber threshold is Amber, below the red one Red (rounded to 4 decimals, like rag_grade). The var is per
  tier ({"1": {amber, red}, ...}, as Settings.dbt_vars passes it) or one {amber, red} pair for every tier
  (DESIGN §8). Like rag_grade, a tier the var does not name is not graded.
#}
{% macro rate_grade(rate, tier) -%}
    {%- set configured = var('milestone_rate_thresholds') -%}
    {%- if 'amber' in configured -%}
        {%- set configured = {'1': configured, '2': configured, '3': configured} -%}
    {%- endif -%}
    case
        when {{ rate }} is null then null
        {% for tier_key, limits in configured.items() %}
        when {{ tier }} = {{ tier_key }} and {{ round_to(rate, 4) }} < {{ limits['red'] }} then 'Red'
        when {{ tier }} = {{ tier_key }} and {{ round_to(rate, 4) }} < {{ limits['amber'] }} then 'Amber'
        when {{ tier }} = {{ tier_key }} then 'Green'
        {% endfor %}
    end
{%- endmacro %}

{#
  The worse of RAG grades (nulls ignored): Red over Amber over Unknown over Green. Unknown ranks above Green
  because a dimension that cannot be measured must never let a project show Green (DESIGN §5).
#}
{% macro worst_rag(grades) -%}
    case greatest(
        {% for grade in grades %}
        case {{ grade }} when 'Red' then 4 when 'Amber' then 3 when 'Unknown' then 2 when 'Green' then 1 else 0 end
        {{- "," if not loop.last }}
        {% endfor %}
    )
        when 4 then 'Red' when 3 then 'Amber' when 2 then 'Unknown' when 1 then 'Green'
    end
{%- endmacro %}

{# Milestone tolerance in days for the project's tier (var milestone_tolerance_days). #}
{% macro tolerance_days(tier) -%}
    case
        {% for tier_key, days in var('milestone_tolerance_days').items() %}
        when {{ tier }} = {{ tier_key }} then {{ days }}
        {% endfor %}
        else 0
    end
{%- endmacro %}
