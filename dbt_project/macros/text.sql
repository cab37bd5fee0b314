{#
  Whether `expression` is one of `values`, compared without case or surrounding blanks (DESIGN §5: Jira's
  jira_out_of_scope_resolutions, `declined` as `Declined`). False, never null, for a null value or an empty list.
#}
{% macro in_list_without_case(expression, values) -%}
    {%- if values | length == 0 -%}
        false
    {%- else -%}
        coalesce(lower(trim({{ expression }})) in (
            {%- for value in values -%}
                '{{ value | trim | lower | replace("'", "''") }}'{{ ", " if not loop.last }}
            {%- endfor -%}
        ), false)
    {%- endif -%}
{%- endmacro %}
