"""A month's pack is sent only as rendered from the marts it describes (reports/fingerprint.py).

The delivery asset and `steerpack send` call `require_current_pack` before anything is sent: when the marts
changed after the month's last successful render (a run whose render failed after dbt published new marts,
marts rebuilt by hand), nothing goes out until the pack is rendered again.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from pipelines.core.delivery.plan import DeliveryError
from pipelines.core.packs import pack_paths
from reports.fingerprint import stale_pack_reason


def require_current_pack(conn: duckdb.DuckDBPyConnection, output: Path, month: dt.date) -> None:
    """Raise DeliveryError, saying what to do, unless the month's rendered pack matches the marts as they are.
    A month with no pack at all is left to the delivery's own "has not been rendered" message."""
    paths = pack_paths(output, month)
    if not paths["html"].exists():
        return
    reason = stale_pack_reason(conn, paths["folder"], month)
    if reason:
        raise DeliveryError(reason)
