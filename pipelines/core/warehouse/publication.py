"""Marts are published only once their tests pass (DESIGN §2: a failed run leaves every table as it was).

`dbt build` writes each model and then runs its tests, so a failing test used to leave the month's marts
rewritten while the pack on disk still showed the previous ones. Instead, dbt builds a *candidate*: a copy of
the warehouse, taken under the warehouse lock once ingest and the quality gate are done. When every model and
test passes, the candidate replaces the warehouse in one rename; when anything fails, the candidate is dropped
and the warehouse is exactly as it was. The copy keeps the warehouse's file name (in a folder of its own beside
it), because DuckDB names the database after the file and dbt's views refer to their tables by that name.

A failed build is told in words: each failed test or model, and up to five of the rows a test found.
Plain functions: no Dagster.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import duckdb

CANDIDATE_FOLDER = ".candidate"
EXAMPLE_ROWS = 5


def _wal(database: Path) -> Path:
    return database.with_name(database.name + ".wal")


def checkpoint(database: Path) -> None:
    """Fold DuckDB's write-ahead log into the file, so the file alone holds every committed row."""
    with duckdb.connect(str(database)) as conn:
        conn.execute("checkpoint")


def candidate_path(warehouse: Path) -> Path:
    return warehouse.parent / CANDIDATE_FOLDER / warehouse.name


def prepare_candidate(warehouse: Path, folder: Path | None = None) -> Path:
    """A fresh copy of `warehouse` for dbt to build into (the caller holds the warehouse lock), with the
    warehouse's file name, in `folder` (a folder of its own: `discard_candidate` removes it) or beside the
    warehouse (`candidate_path`). A draft computes its month on one in its staging folder."""
    candidate = folder / warehouse.name if folder is not None else candidate_path(warehouse)
    discard_candidate(candidate)  # one a killed run left behind
    candidate.parent.mkdir(parents=True)
    if warehouse.exists():
        checkpoint(warehouse)
        shutil.copyfile(warehouse, candidate)
    return candidate


def publish_candidate(candidate: Path, warehouse: Path) -> None:
    """Replace the warehouse by the built candidate in one rename: readers see the old file or the new one."""
    checkpoint(candidate)
    with open(candidate, "rb") as handle:
        os.fsync(handle.fileno())
    _wal(candidate).unlink(missing_ok=True)
    _wal(warehouse).unlink(missing_ok=True)  # checkpointed before the copy; an old log must never replay here
    os.replace(candidate, warehouse)
    discard_candidate(candidate)


def discard_candidate(candidate: Path) -> None:
    shutil.rmtree(candidate.parent, ignore_errors=True)


def describe_failures(run_results: dict[str, Any], manifest: dict[str, Any], candidate: Path) -> list[str]:
    """One sentence per failed dbt test or model: what it checks, how many rows broke it, and some of them."""
    nodes = manifest.get("nodes", {})
    sentences = []
    for result in run_results.get("results", []):
        if result.get("status") not in ("fail", "error"):
            continue
        node = nodes.get(result.get("unique_id"), {})
        if node.get("resource_type") != "test":
            message = (result.get("message") or "failed").strip().splitlines()
            sentences.append(
                f"model {node.get('name', result.get('unique_id'))} could not be built: "
                f"{' '.join(line.strip() for line in message)[:500]}"
            )
            continue
        sentence = f"{_test_in_words(node)}: {result.get('failures') or 'some'} failing row(s)"
        examples = _examples(candidate, result.get("compiled_code") or node.get("compiled_code"))
        sentences.append(f"{sentence}, e.g. {examples}" if examples else sentence)
    return sentences


def _test_in_words(node: dict[str, Any]) -> str:
    """`stg_jira__issues.status_category must be one of To Do, In Progress, Done (dbt test accepted_values)`."""
    metadata = node.get("test_metadata") or {}
    kwargs = metadata.get("kwargs") or {}
    model = (node.get("attached_node") or "").rsplit(".", 1)[-1]
    column = node.get("column_name")
    where = f"{model}.{column}" if model and column else model or node.get("name", "?")
    test = metadata.get("name")
    values = kwargs.get("values") or (kwargs.get("arguments") or {}).get("values")
    if test == "accepted_values" and values:
        return f"{where} must be one of {', '.join(map(str, values))} (dbt test accepted_values)"
    if test == "not_null":
        return f"{where} must not be empty (dbt test not_null)"
    if test == "unique":
        return f"{where} must be unique (dbt test unique)"
    if test == "relationships":
        return f"every {where} must exist in its parent table (dbt test relationships)"
    return f"dbt test {test or node.get('name', '?')} on {where}"


def _examples(candidate: Path, compiled_sql: str | None) -> str:
    """Up to EXAMPLE_ROWS of the rows the test's own query returns, as `column=value` lists."""
    if not compiled_sql or not candidate.exists():
        return ""
    try:
        with duckdb.connect(str(candidate), read_only=True) as conn:
            cursor = conn.execute(f"select * from ({compiled_sql}) as failing limit {EXAMPLE_ROWS}")
            names = [column[0] for column in cursor.description]
            rows = cursor.fetchall()
    except duckdb.Error:
        return ""
    return "; ".join(", ".join(f"{name}={value!r}" for name, value in zip(names, row)) for row in rows)
