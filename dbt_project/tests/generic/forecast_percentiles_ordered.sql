{# A forecast's percentiles never run backwards: P50 <= P85 <= P95 wherever both are dates (DESIGN §5b). #}
{% test forecast_percentiles_ordered(model) %}
select month, project_id, p50_finish, p85_finish, p95_finish
from {{ model }}
where p50_finish > p85_finish or p85_finish > p95_finish or p50_finish > p95_finish
{% endtest %}
