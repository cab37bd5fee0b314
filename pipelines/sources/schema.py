"""The canonical tables of DESIGN §4: the columns every parser produces and the warehouse's raw schema holds.

Declared once, with explicit types, so dbt sources exist (empty) before the first file of a kind arrives and
a parser can never widen a column by accident.
"""

LINEAGE = [
    ("snapshot_month", "DATE"),
    ("source", "VARCHAR"),
    ("source_file", "VARCHAR"),
    ("source_row", "INTEGER"),
]

# Column lists of the canonical tables, lineage columns first. Names follow the inbox headers of DESIGN §3.
CANONICAL: dict[str, list[tuple[str, str]]] = {
    "projects": [
        ("project_id", "VARCHAR"),
        ("project_name", "VARCHAR"),
        ("tier", "INTEGER"),
        ("sponsor", "VARCHAR"),
        ("project_manager", "VARCHAR"),
        ("reported_status", "VARCHAR"),
        ("phase", "VARCHAR"),
        ("bac", "DOUBLE"),
        ("currency", "VARCHAR"),
        ("baseline_start", "DATE"),
        ("baseline_finish", "DATE"),
        ("go_live_planned", "DATE"),
        ("go_live_actual", "DATE"),
        ("plan_source", "VARCHAR"),
        ("plan_key", "VARCHAR"),
        ("finance_codes", "VARCHAR"),
        ("services", "VARCHAR"),
        ("eac_management", "DOUBLE"),
        ("budget_fx_rate", "DOUBLE"),
        ("status_comment", "VARCHAR"),  # optional register column: the PM's own words
    ],
    "milestones": [
        ("project_id", "VARCHAR"),
        ("milestone", "VARCHAR"),
        ("baseline_date", "DATE"),
        ("forecast_date", "DATE"),
        ("actual_date", "DATE"),
        ("vendor", "VARCHAR"),  # optional register column
    ],
    "benefits": [
        ("benefit_id", "VARCHAR"),
        ("project_id", "VARCHAR"),
        ("description", "VARCHAR"),
        ("owner", "VARCHAR"),
        ("metric", "VARCHAR"),
        ("baseline_value", "DOUBLE"),
        ("target_value", "DOUBLE"),
        ("target_date", "DATE"),
        ("tracking_start", "DATE"),
    ],
    "raid": [
        ("raid_id", "VARCHAR"),
        ("project_id", "VARCHAR"),
        ("type", "VARCHAR"),
        ("title", "VARCHAR"),
        ("owner", "VARCHAR"),
        ("severity", "VARCHAR"),
        ("status", "VARCHAR"),
        ("raised_date", "DATE"),
        ("last_updated", "DATE"),
        ("due_date", "DATE"),
        ("closed_date", "DATE"),  # optional register column
    ],
    "changes": [
        ("cr_id", "VARCHAR"),
        ("project_id", "VARCHAR"),
        ("title", "VARCHAR"),
        ("submitted_date", "DATE"),
        ("decided_date", "DATE"),
        ("decision", "VARCHAR"),
        ("cost_impact", "DOUBLE"),
        ("schedule_impact_days", "INTEGER"),
    ],
    "distribution": [
        ("email", "VARCHAR"),
        ("name", "VARCHAR"),
        ("role", "VARCHAR"),
        ("scope", "VARCHAR"),
    ],
    # The register's optional sheets (DESIGN §3): no rows for a snapshot whose register lacks the sheet.
    "decisions": [
        ("decision_id", "VARCHAR"),
        ("project_id", "VARCHAR"),
        ("title", "VARCHAR"),
        ("owner", "VARCHAR"),
        ("raised_date", "DATE"),
        ("needed_by", "DATE"),
        ("decided_date", "DATE"),
        ("outcome", "VARCHAR"),
    ],
    "readiness": [
        ("project_id", "VARCHAR"),
        ("release", "VARCHAR"),
        ("area", "VARCHAR"),
        ("item", "VARCHAR"),
        ("status", "VARCHAR"),
        ("due_date", "DATE"),
    ],
    "uat": [
        ("project_id", "VARCHAR"),
        ("release", "VARCHAR"),
        ("as_of_date", "DATE"),
        ("cases_planned", "INTEGER"),
        ("cases_executed", "INTEGER"),
        ("cases_passed", "INTEGER"),
    ],
    "cutovers": [
        ("project_id", "VARCHAR"),
        ("release", "VARCHAR"),
        ("planned_date", "DATE"),
        ("actual_date", "DATE"),
        ("outcome", "VARCHAR"),
    ],
    "surveys": [
        ("survey_date", "DATE"),
        ("project_id", "VARCHAR"),  # empty: the portfolio as a whole
        ("respondent_group", "VARCHAR"),  # the sheet's `group` column
        ("question", "VARCHAR"),
        ("score", "INTEGER"),
    ],
    "evidence": [
        ("project_id", "VARCHAR"),
        ("control", "VARCHAR"),
        ("artifact", "VARCHAR"),
        ("required", "BOOLEAN"),
        ("status", "VARCHAR"),
        ("due_date", "DATE"),
    ],
    "work_items": [
        # item_id: Jira's Issue id, which survives a move between projects (the key changes: PAY-12 -> CRM-40);
        # Azure DevOps' ID is both
        ("plan_key", "VARCHAR"),
        ("item_key", "VARCHAR"),
        ("item_id", "VARCHAR"),
        ("item_type", "VARCHAR"),
        ("summary", "VARCHAR"),
        ("status", "VARCHAR"),
        ("status_category", "VARCHAR"),
        ("resolution", "VARCHAR"),
        ("priority", "VARCHAR"),
        ("story_points", "DOUBLE"),
        ("created_at", "TIMESTAMP"),
        ("resolved_at", "TIMESTAMP"),
        ("due_date", "DATE"),
        ("area_path", "VARCHAR"),
        ("assignee", "VARCHAR"),
        ("parent_key", "VARCHAR"),
        ("sprint", "VARCHAR"),
        ("labels", "VARCHAR"),
    ],
    "schedule_tasks": [
        ("plan_key", "VARCHAR"),
        ("task_uid", "VARCHAR"),
        ("task_name", "VARCHAR"),
        ("outline_level", "INTEGER"),
        ("is_summary", "BOOLEAN"),
        ("is_milestone", "BOOLEAN"),
        ("start_date", "DATE"),
        ("finish_date", "DATE"),
        ("baseline_start", "DATE"),
        ("baseline_finish", "DATE"),
        ("baseline_cost", "DOUBLE"),
        ("percent_complete", "DOUBLE"),
        ("cost", "DOUBLE"),
        ("actual_cost", "DOUBLE"),
        ("actual_finish", "DATE"),
        ("is_critical", "BOOLEAN"),  # MSPDI's Critical flag; null for Smartsheet and files without it
    ],
    "spend": [
        ("document_id", "VARCHAR"),
        ("line_no", "VARCHAR"),
        ("posting_date", "DATE"),
        ("project_code", "VARCHAR"),
        ("amount", "DOUBLE"),
        ("currency", "VARCHAR"),
        ("supplier", "VARCHAR"),
        ("description", "VARCHAR"),
        ("cost_type", "VARCHAR"),
    ],
    "fx_rates": [
        ("month", "DATE"),
        ("currency", "VARCHAR"),
        ("rate_to_base", "DOUBLE"),
    ],
    "incidents": [
        ("incident_id", "VARCHAR"),
        ("title", "VARCHAR"),
        ("priority", "INTEGER"),
        ("state", "VARCHAR"),
        ("opened_at", "TIMESTAMP"),
        ("resolved_at", "TIMESTAMP"),
        ("closed_at", "TIMESTAMP"),
        ("service", "VARCHAR"),
        ("cmdb_ci", "VARCHAR"),
        ("assignment_group", "VARCHAR"),
        ("caused_by", "VARCHAR"),
        # event logs: which state of the incident a row is (staging keeps the latest)
        ("updated_at", "TIMESTAMP"),
        ("modification_count", "INTEGER"),
    ],
}

BOOKKEEPING: dict[str, list[tuple[str, str]]] = {
    "quarantine": [
        ("snapshot_month", "DATE"),
        ("source", "VARCHAR"),
        ("source_file", "VARCHAR"),
        ("source_row", "INTEGER"),
        ("table_name", "VARCHAR"),
        ("reason", "VARCHAR"),
        ("raw_record", "VARCHAR"),
        ("record_key", "VARCHAR"),
    ],
    "load_log": [
        ("snapshot_month", "DATE"),
        ("source", "VARCHAR"),
        ("source_file", "VARCHAR"),
        ("table_name", "VARCHAR"),
        ("file_format", "VARCHAR"),
        ("rows_read", "INTEGER"),
        ("rows_loaded", "INTEGER"),
        ("rows_quarantined", "INTEGER"),
        ("error", "VARCHAR"),
        ("notes", "VARCHAR"),
    ],
    # What the data-quality suites found per snapshot month and table (written by the asset checks)
    "quality_findings": [
        ("snapshot_month", "DATE"),
        ("table_name", "VARCHAR"),
        ("rule", "VARCHAR"),
        ("severity", "VARCHAR"),
        ("failed_rows", "INTEGER"),
        ("description", "VARCHAR"),
        ("examples", "VARCHAR"),
    ],
}


def parser_columns(table: str) -> list[str]:
    """The columns a parser's frame carries for `table`: its row number, then the canonical columns."""
    return ["source_row", *(name for name, _ in CANONICAL[table])]
