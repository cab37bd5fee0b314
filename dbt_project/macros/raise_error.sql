{#
  Stop the query with `message` (a SQL string expression) when it is evaluated: a data-quality error that
  names what is wrong, instead of a silent default. DuckDB has error(); other adapters can dispatch their own.
#}
{% macro raise_error(message) -%}
    {{ return(adapter.dispatch('raise_error', 'steerpack')(message)) }}
{%- endmacro %}

{% macro default__raise_error(message) -%}
    error({{ message }})
{%- endmacro %}
