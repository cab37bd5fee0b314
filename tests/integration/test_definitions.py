"""`dagster definitions validate` loads the code location as `dagster dev` would, and the assets carry what the
Dagster UI shows of them."""

import dagster as dg


def test_dagster_definitions_validate(dbt_manifest):
    import subprocess
    import sys
    from pathlib import Path

    from pipelines import REPO_ROOT

    dagster = Path(sys.executable).with_name("dagster")
    done = subprocess.run(
        [str(dagster), "definitions", "validate", "-m", "pipelines.definitions"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Validation successful for code location pipelines.definitions" in done.stderr + done.stdout


# What the Dagster UI shows of each layer (pipelines/assets/dbt.py says why these owners): group, kinds, owners.
LAYERS = {
    "raw": ("ingest", {"python", "duckdb"}, ["team:data-engineering"]),
    "staging": ("staging", {"dbt", "duckdb"}, ["team:data-engineering"]),
    "intermediate": ("intermediate", {"dbt", "duckdb"}, ["team:data-engineering"]),
    "marts": ("marts", {"dbt", "duckdb"}, ["team:pmo"]),
    "steering_pack": ("pack", {"python", "html", "excel", "pdf"}, ["team:pmo"]),
    "pack_delivery": ("delivery", {"python", "email"}, ["team:pmo"]),
}


def test_every_asset_has_its_layers_group_kinds_owners_and_a_description(dbt_manifest, tmp_path):
    from pipelines.config import load_settings
    from pipelines.definitions import build_definitions
    from tests.helpers import write_config

    graph = build_definitions(load_settings(write_config(tmp_path))).resolve_asset_graph()
    materialized = [graph.get(key) for key in graph.get_all_asset_keys() if graph.get(key).is_materializable]
    seen = {}
    for node in materialized:
        layer = node.key.path[0]
        assert (node.group_name, node.kinds, list(node.owners)) == LAYERS[layer], node.key
        assert node.description and "Raw SQL" not in node.description, node.key
        seen[layer] = seen.get(layer, 0) + 1
    # every layer is there; the raw tables are the 17 the ingest writes, one quality suite each
    assert seen["raw"] == 17 and seen["steering_pack"] == seen["pack_delivery"] == 1
    assert seen.keys() == LAYERS.keys()
    # the forecast models sit in their layer's folder like any other (fqn [project, layer, forecast, model])
    groups = {node.key.path[-1]: node.group_name for node in materialized}
    assert groups["stg_forecast__monte_carlo_month"] == "staging"
    assert groups["fct_forecast_month"] == "marts"
    # a dbt model's description is the sentence of its .yml, without the SQL dagster-dbt would append
    project_month = graph.get(dg.AssetKey(["marts", "fct_project_month"]))
    assert project_month.description.startswith("One row per project and month")
    # the register's Projects sheet, as the ingest describes it
    assert graph.get(dg.AssetKey(["raw", "projects"])).description == (
        "The register's Projects sheet: one row per project and monthly snapshot."
    )
