"""Which marts a rendered pack was made from: a fingerprint of the rows it reads, recorded beside the pack.

`publish_month` writes `output/packs/YYYY-MM/rendered-from.json` into the staged month folder, so it is swapped
in with the pack it describes (never one without the other). Delivery compares it with the marts as they are now
(`stale_pack_reason`): a pack rendered before the marts last changed (a run whose render failed after dbt
published new marts, marts rebuilt by hand) is not sent until it is rendered again, so a message's body (read
from the marts at send time) and its attachments always describe the same numbers.

The fingerprint covers the rows the pack can read, and only those, so a run of another month does not make a
month's pack stale: in each mart of PACK_MARTS, the rows of the month and of the months before it (trends and
histories read them), or, in a mart without a month (dim_project), the rows of the month's projects. Floating
point columns count to 12 significant digits, so a rebuild that sums in another order is not a change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import duckdb

# The marts the pack reads (reports/data.py, reports/workbook.py); the pack asset depends on exactly these.
PACK_MARTS = (
    "fct_project_month",
    "dim_project",
    "fct_portfolio_month",
    "fct_milestone_month",
    "fct_benefit_readiness",
    "fct_post_golive_incidents",
    "fct_data_freshness",
    "fct_raid_month",
    "fct_change_month",
    "fct_project_change_month",
    "fct_quality_findings_month",
    "fct_release_month",
    "fct_release_readiness_month",
    "fct_decision_month",
    "fct_kpi_scorecard_month",
    "fct_forecast_month",
    "fct_forecast_distribution_month",
    "fct_status_narrative_month",
    "fct_project_closure_month",
)
RECORD_NAME = "rendered-from.json"
_VERSION = 2  # bumped when what the fingerprint covers changes: older records then read as stale
_FLOATS = ("DOUBLE", "FLOAT", "REAL")


def _columns(conn: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    return conn.execute(
        """
        select column_name, data_type from information_schema.columns
        where table_catalog = current_database() and table_schema = 'marts' and table_name = ?
        order by ordinal_position""",
        [table],
    ).fetchall()


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _table_digest(conn: duckdb.DuckDBPyConnection, table: str, month: dt.date) -> dict[str, Any]:
    columns = _columns(conn, table)
    if not columns:
        return {"rows": None, "hash": None}  # not built (yet): a later build changes the fingerprint
    names = {name for name, _ in columns}
    values = ", ".join(
        f"printf('%.12g', {_quoted(name)})" if kind.upper() in _FLOATS else _quoted(name) for name, kind in columns
    )
    if "month" in names:
        where = "where month <= $month"
    elif "project_id" in names:
        where = "where project_id in (select project_id from marts.fct_project_month where month = $month)"
    else:
        where = ""
    # An order-free digest: the sum of the rows' hashes (a row counted twice counts twice), with the row count.
    rows, digest = conn.execute(
        f"select count(*), coalesce(sum(hash(row({values}))), 0)::varchar from marts.{_quoted(table)} {where}",
        {"month": month} if where else {},
    ).fetchone()
    return {"rows": rows, "hash": digest}


def marts_fingerprint(conn: duckdb.DuckDBPyConnection, month: dt.date) -> dict[str, Any]:
    """The fingerprint of the mart rows the month's pack reads: {"fingerprint": hex, "marts": {table: rows}}."""
    tables = {table: _table_digest(conn, table, month) for table in PACK_MARTS}
    payload = json.dumps({"version": _VERSION, "month": month.isoformat(), "tables": tables}, sort_keys=True)
    return {
        "fingerprint": hashlib.sha256(payload.encode("utf-8")).hexdigest(),
        "marts": {table: digest["rows"] for table, digest in tables.items()},
    }


def record_path(month_folder: Path) -> Path:
    return month_folder / RECORD_NAME


def render_record(conn: duckdb.DuckDBPyConnection, month: dt.date) -> str:
    """The record's text, taken before the render reads the marts (the render holds the warehouse lock)."""
    fingerprint = marts_fingerprint(conn, month)
    record = {
        "month": f"{month:%Y-%m}",
        "rendered_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "marts_fingerprint": fingerprint["fingerprint"],
        "mart_rows": fingerprint["marts"],
    }
    return json.dumps(record, indent=2, sort_keys=True) + "\n"


def recorded_fingerprint(month_folder: Path) -> str | None:
    """The fingerprint recorded beside a rendered pack, or None (no record, or one that cannot be read)."""
    try:
        record = json.loads(record_path(month_folder).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    value = record.get("marts_fingerprint") if isinstance(record, dict) else None
    return value if isinstance(value, str) else None


def stale_pack_reason(conn: duckdb.DuckDBPyConnection, month_folder: Path, month: dt.date) -> str | None:
    """Why the rendered pack in `month_folder` must not be sent as it is, or None when it was rendered from the
    marts as they are now."""
    rerun = f"run `steerpack run --month {month:%Y-%m}` (or re-render it: materialize steering_pack) first"
    recorded = recorded_fingerprint(month_folder)
    if recorded is None:
        return (
            f"the {month:%Y-%m} pack does not record which marts it was rendered from "
            f"({record_path(month_folder)} is missing or unreadable): {rerun}"
        )
    if recorded != marts_fingerprint(conn, month)["fingerprint"]:
        return f"the {month:%Y-%m} pack was rendered before the marts last changed: {rerun}"
    return None
