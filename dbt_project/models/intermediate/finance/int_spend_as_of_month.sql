-- Each window month's spend lines: per (document_id, line_no), the line from the latest extract at or before
-- the month. Overlapping and cumulative extracts therefore never count a line twice.
{{ as_of_latest_per_key(ref('stg_finance__spend'), ['document_id', 'line_no'], 'finance') }}
