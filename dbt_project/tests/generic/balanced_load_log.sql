{# Every file's rows are accounted for: read = loaded + quarantined. #}
{% test balanced_load_log(model) %}
select data_source, source_file, table_name, rows_read, rows_loaded, rows_quarantined
from {{ model }}
where rows_read <> rows_loaded + rows_quarantined
{% endtest %}
