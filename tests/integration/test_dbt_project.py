"""`dbt build` of the whole project on an empty warehouse: every model, data test and unit test passes.

The unit tests (`unit_tests:` in the .yml beside each model) hold the KPI arithmetic's hand-computed and published
examples; this is where `make test` runs them.
"""

import json
import os
import subprocess

import duckdb
import pytest

from pipelines.config import parse_settings
from pipelines.core.warehouse.load import ensure_raw_schema
from pipelines.dbt_project import DBT_PROJECT_DIR, WAREHOUSE_ENV_VAR, dbt_executable, window_vars
from pipelines.partitions import months_between

pytestmark = pytest.mark.slow


MIN_UNIT_TESTS = 25  # what the project held when this was written: a floor, so a lost file shows


def test_dbt_build_with_unit_tests_passes_on_an_empty_warehouse(tmp_path, dbt_manifest):
    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as conn:
        ensure_raw_schema(conn)
    import datetime as dt

    dbt_vars = window_vars(months_between(dt.date(2026, 9, 1), dt.date(2026, 10, 1)), parse_settings({}).dbt_vars())
    target = tmp_path / "target"
    done = subprocess.run(
        [
            dbt_executable(),
            "build",
            "--vars",
            json.dumps(dbt_vars),
            "--target-path",
            str(target),
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
        ],
        cwd=DBT_PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, WAREHOUSE_ENV_VAR: str(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
    )
    assert done.returncode == 0, done.stdout[-4000:]
    results = json.loads((target / "run_results.json").read_text())["results"]
    unit = [r for r in results if r["unique_id"].startswith("unit_test.")]
    # every unit test the project defines ran (none skipped by a failing upstream model)
    defined = json.loads((target / "manifest.json").read_text())["unit_tests"]
    assert {r["unique_id"] for r in unit} == set(defined) and len(defined) >= MIN_UNIT_TESTS
    assert {r["status"] for r in results} <= {"success", "pass"}


def test_no_staging_or_intermediate_model_reads_a_mart(dbt_manifest):
    """DESIGN §1: staging and intermediate models never `ref` a mart (a mart is an interface, not an input)."""
    nodes = json.loads(dbt_manifest.read_text())["nodes"]
    models = {unique_id: node for unique_id, node in nodes.items() if node["resource_type"] == "model"}
    layer = {unique_id: node["fqn"][1] for unique_id, node in models.items()}
    assert {"staging", "intermediate", "marts"} <= set(layer.values())
    reads_a_mart = sorted(
        f"{node['name']} <- {models[parent]['name']}"
        for unique_id, node in models.items()
        if layer[unique_id] in ("staging", "intermediate")
        for parent in node["depends_on"]["nodes"]
        if parent in models and layer[parent] == "marts"
    )
    assert reads_a_mart == []
