{#
  RAG grade of a fraction against the tier's thresholds from steerpack.yaml (var rag_thresholds):
  above the amber threshold is Amber, above the red one Red; exactly at a threshold stays at the better grade.
#}
{% macro rag_grade(value, tier) -%}
    case
        when {{ value }} is null then null
        {% for tier_key, limits in var('rag_thresholds').items() %}
        when {{ tier }} = {{ tier_key }} and {{ value }} > {{ limits['red'] }} then 'Red'
        when {{ tier }} = {{ tier_key }} and {{ value }} > {{ limits['amber'] }} then 'Amber'
        when {{ tier }} = {{ tier_key }} then 'Green'
        {% endfor %}
    end
{%- endmacro %}

{# The worse of RAG grades (nulls ignored): Red over Amber over Green. #}
{% macro worst_rag(grades) -%}
    case greatest(
        {% for grade in grades %}
        case {{ grade }} when 'Red' then 3 when 'Amber' then 2 when 'Green' then 1 else 0 end{{ "," if not loop.last }}
        {% endfor %}
    )
        when 3 then 'Red' when 2 then 'Amber' when 1 then 'Green'
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
