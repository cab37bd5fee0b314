-- ms_project tasks, one row per plan file, task and export month.
{{ stg_schedule_tasks('ms_project') }}
