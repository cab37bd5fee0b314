"""`dbt build` of the whole project on an empty warehouse: every model, data test and unit test passes.

The unit tests (`unit_tests:` in the .yml beside each model) hold the KPI arithmetic's hand-computed and published
examples; this is where `make test` runs them.
"""

import datetime as dt
import json

import duckdb
import pytest

from pipelines.config import parse_settings
from pipelines.core.warehouse.load import ensure_raw_schema
from pipelines.dbt.command import dbt_executable, window_vars
from pipelines.partitions import months_between
from tests.helpers import run_dbt, write_config

pytestmark = pytest.mark.slow


MIN_UNIT_TESTS = 25  # what the project held when this was written: a floor, so a lost file shows


def test_dbt_build_with_unit_tests_passes_on_an_empty_warehouse(tmp_path, dbt_manifest):
    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as conn:
        ensure_raw_schema(conn)
    dbt_vars = window_vars(months_between(dt.date(2026, 9, 1), dt.date(2026, 10, 1)), parse_settings({}).dbt_vars())
    target = tmp_path / "target"
    # the unit tests of an incremental run read the columns of the stored mart, which an empty warehouse lacks
    # until the build made it: they run after it
    stored = "tag:reads_the_stored_mart"
    done = run_dbt(["build", "--vars", json.dumps(dbt_vars), "--exclude", stored], tmp_path, warehouse)
    assert done.returncode == 0, done.stdout[-4000:]
    results = json.loads((target / "run_results.json").read_text())["results"]
    done = run_dbt(["test", "--vars", json.dumps(dbt_vars), "--select", stored], tmp_path, warehouse)
    assert done.returncode == 0, done.stdout[-4000:]
    results += json.loads((target / "run_results.json").read_text())["results"]
    unit = [r for r in results if r["unique_id"].startswith("unit_test.")]
    # every unit test the project defines ran (none skipped by a failing upstream model)
    defined = json.loads((target / "manifest.json").read_text())["unit_tests"]
    assert {r["unique_id"] for r in unit} == set(defined) and len(defined) >= MIN_UNIT_TESTS
    # an exposure (the steering pack) has nothing to run: dbt reports it as a no-op
    assert {r["status"] for r in results if not r["unique_id"].startswith("exposure.")} <= {"success", "pass"}
    # `steerpack docs --no-serve` makes the built warehouse the metrics dictionary: dbt's docs under the output
    # folder, their catalog read from the warehouse (here rather than in a test of its own: a build costs ~10 s)
    from click.testing import CliRunner

    from pipelines.cli import main

    config = write_config(tmp_path / "config", warehouse=str(warehouse), output=str(tmp_path / "output"))
    result = CliRunner().invoke(main, ["docs", "--no-serve", "--config", str(config)])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "output" / "dbt-docs"
    assert f"dbt docs: {folder / 'index.html'}" in result.output
    assert (folder / "index.html").is_file()
    catalog = json.loads((folder / "catalog.json").read_text())
    mart = next(node for node in catalog["nodes"].values() if node["metadata"]["name"] == "fct_project_month")
    assert "cpi" in mart["columns"]


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


def test_steerpack_dbt_parses_once_per_warehouse_name_and_compiles_each_run_with_its_own_vars(tmp_path, dbt_manifest):
    """Two runs into two different candidate paths of a warehouse named pmo.duckdb, with two different windows:
    the second reuses the first's parse (dbt says so in its log), and each compiles with its own window and the
    database name DuckDB gives pmo.duckdb."""
    assert dbt_executable().endswith("steerpack-dbt")
    compiled = {}
    for run, month in (("first", "2026-07-01"), ("second", "2026-08-01")):
        window = json.dumps({"month_start": month, "month_end": month})
        (tmp_path / run / "candidate").mkdir(parents=True)
        done = run_dbt(
            ["compile", "--select", "fct_portfolio_month", "--vars", window, "--quiet"],
            tmp_path / run,
            tmp_path / run / "candidate" / "pmo.duckdb",
        )
        assert done.returncode == 0, done.stdout[-4000:]
        log = (tmp_path / run / "logs" / "dbt.log").read_text(encoding="utf-8")
        sql = tmp_path / run / "target" / "compiled" / "steerpack" / "models" / "marts" / "fct_portfolio_month.sql"
        compiled[run] = (log, sql.read_text(encoding="utf-8"))
    log, sql = compiled["second"]
    assert "Partial parsing enabled, no changes found, skipping parsing" in log
    assert "month between cast('2026-08-01' as date) and cast('2026-08-01' as date)" in sql
    assert '"pmo"."marts"."fct_project_month"' in sql
    assert "2026-07-01" not in sql
    assert "month between cast('2026-07-01' as date) and cast('2026-07-01' as date)" in compiled["first"][1]


def test_what_parsing_finds_does_not_depend_on_the_vars(tmp_path, dbt_manifest):
    """steerpack-dbt reuses a parse made without `--vars` for runs with their window and settings: sound only
    while no `ref`, `source`, `config` or test depends on a var. Parse with every var set to something unusual
    and compare with the manifest parsed without them."""
    settings = parse_settings(
        {"base_currency": "EUR", "rag_thresholds": {1: {"amber": 0.01, "red": 0.02}}, "change_pending_days": 3}
    )
    dbt_vars = window_vars([dt.date(2025, 2, 1), dt.date(2025, 4, 1)], settings.dbt_vars())
    done = run_dbt(["parse", "--vars", json.dumps(dbt_vars)], tmp_path)
    assert done.returncode == 0, done.stdout[-4000:]

    def found(manifest_path):
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        return {
            unique_id: {key: node.get(key) for key in ("depends_on", "config", "refs", "sources", "test_metadata")}
            for unique_id, node in manifest["nodes"].items()
        }

    with_vars, without = found(tmp_path / "target" / "manifest.json"), found(dbt_manifest)
    assert set(with_vars) == set(without) and len(without) > 100
    assert [unique_id for unique_id in without if with_vars[unique_id] != without[unique_id]] == []


def test_a_plan_file_whose_rows_vanish_in_staging_fails_the_conservation_test_naming_the_file(tmp_path, dbt_manifest):
    """DESIGN §4: rows are conserved through the transform. Two Jira exports load three and two rows; a staging
    model that loses MOB.csv's rows (as keying on Issue id alone once did: both exports number from 10001) fails
    `plan_rows_conserved_through_staging`, which names the file and what it lost; the real staging passes."""
    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as conn:
        ensure_raw_schema(conn)
        rows = [("2026-09/jira/PAY.csv", f"PAY-{n}", f"1000{n}", "PAY", n + 1) for n in (1, 2, 3)]
        rows += [("2026-09/jira/MOB.csv", f"MOB-{n}", f"1000{n}", "MOB", n + 1) for n in (1, 2)]
        conn.executemany(
            "insert into raw.work_items (snapshot_month, source, source_file, item_key, item_id, plan_key, source_row)"
            " values ('2026-09-01', 'jira', ?, ?, ?, ?, ?)",
            rows,
        )
    dbt_vars = json.dumps({"month_start": "2026-09-01", "month_end": "2026-09-01"})
    conserved = ["--select", "plan_rows_conserved_through_staging", "--vars", dbt_vars, "--store-failures"]
    built = run_dbt(
        ["run", "--select", "staging", "int_source_snapshots_blocked", "--vars", dbt_vars], tmp_path, warehouse
    )
    assert built.returncode == 0, built.stdout[-3000:]
    passed = run_dbt(["test", *conserved], tmp_path, warehouse)
    assert passed.returncode == 0, passed.stdout[-3000:]

    with duckdb.connect(str(warehouse)) as conn:
        real = conn.execute("select count(*) from staging.stg_jira__work_items").fetchone()
        assert real == (5,)  # two sites' issues 10001 and 10002 are two items each
        conn.execute("alter view staging.stg_jira__work_items rename to stg_jira__work_items_as_built")
        conn.execute(
            "create view staging.stg_jira__work_items as select * from staging.stg_jira__work_items_as_built "
            "where source_file <> '2026-09/jira/MOB.csv'"
        )
    failed = run_dbt(["test", *conserved], tmp_path, warehouse)
    assert failed.returncode == 1 and "plan_rows_conserved_through_staging" in failed.stdout
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        found = conn.execute(
            "select failure from dbt_test__audit.plan_rows_conserved_through_staging order by source_file"
        ).fetchall()
    assert found == [("2026-09/jira/MOB.csv: 2 rows loaded, 0 reach staging; lost without a reason, e.g. MOB-1",)]
