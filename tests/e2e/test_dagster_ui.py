"""The Dagster UI as a PMO analyst opens it: the asset groups, kinds, owners and descriptions through the
webserver's GraphQL, and the asset graph drawn in headless Chromium.

One webserver on loopback for the whole test (about 15 s to load the code location); no run is materialized.
"""

import datetime as dt
import json
import os
import sys
import urllib.request
from pathlib import Path

import pytest

from pipelines.config import CONFIG_ENV_VAR
from tests.helpers import launch_chromium, start_logged, wait_for, write_config
from tests.smtp_server import free_port

WEBSERVER = str(Path(sys.executable).with_name("dagster-webserver"))
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # no HTTP proxy for 127.0.0.1

# The raw tables the ingest assets write: one per quality suite in expectations/.
RAW_TABLES = {
    "benefits",
    "changes",
    "cutovers",
    "decisions",
    "distribution",
    "evidence",
    "fx_rates",
    "incidents",
    "milestones",
    "projects",
    "raid",
    "readiness",
    "schedule_tasks",
    "spend",
    "surveys",
    "uat",
    "work_items",
}
# dbt sources that no asset materializes (the ingest, the checks and the forecast step write them as side
# tables): declared as external assets (pipelines.assets.dbt.build_dbt_source_specs), each with its group.
SOURCE_STUBS = {
    ("raw", "load_log"): "quality",
    ("raw", "quarantine"): "quality",
    ("raw", "quality_findings"): "quality",
    ("forecast", "monte_carlo_month"): "intermediate",
    ("forecast", "monte_carlo_distribution"): "intermediate",
}
GROUPS = {"ingest", "staging", "intermediate", "marts", "pack", "delivery"}  # of the materializable assets

ASSET_NODES = """{
  assetNodes {
    assetKey { path }
    groupName
    kinds
    description
    isMaterializable
    owners { ... on TeamAssetOwner { team } ... on UserAssetOwner { email } }
    partitionDefinition { description }
    assetChecksOrError { ... on AssetChecks { checks { name description blocking } } }
  }
}"""

JOB = """query Job($name: String!) {
  pipelineOrError(params: {pipelineName: $name, repositoryName: "__repository__",
                           repositoryLocationName: "pipelines.definitions"}) {
    __typename
    ... on Pipeline { name description partitionKeysOrError { ... on PartitionKeys { partitionKeys } } }
  }
}"""


def graphql(port: int, query: str, **variables) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query, "variables": variables}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with DIRECT.open(request, timeout=30) as response:
        answer = json.load(response)
    assert "errors" not in answer, answer["errors"]
    return answer["data"]


def months_since_january_2024(today: dt.date) -> int:
    """The monthly partitions from first_month 2024-01 to the last complete month: one per month ended."""
    return (today.year * 12 + today.month) - (2024 * 12 + 1)


def distinct_colours(path: Path) -> int:
    from PIL import Image

    with Image.open(path) as image:
        return len(image.convert("RGB").getcolors(maxcolors=1 << 20) or [])


def check_the_asset_nodes(port: int) -> None:
    nodes = {tuple(node["assetKey"]["path"]): node for node in graphql(port, ASSET_NODES)["assetNodes"]}
    assets = {key: node for key, node in nodes.items() if node["isMaterializable"]}
    assert set(nodes) - set(assets) == set(SOURCE_STUBS)

    def owners(node) -> set[str]:
        return {owner.get("team") or owner.get("email") for owner in node["owners"]}

    # the quality records (what was loaded, refused and found) and the forecast tables: described and owned too
    for key, group in SOURCE_STUBS.items():
        node = nodes[key]
        assert (node["groupName"], owners(node)) == (group, {"data-engineering"}), key
        assert (node["description"] or "").strip(), key

    layers = {
        "raw": ("ingest", {"python", "duckdb"}, {"data-engineering"}),
        "staging": ("staging", {"dbt", "duckdb"}, {"data-engineering"}),
        "intermediate": ("intermediate", {"dbt", "duckdb"}, {"data-engineering"}),
        "marts": ("marts", {"dbt", "duckdb"}, {"pmo"}),
        "steering_pack": ("pack", {"python", "html", "excel", "pdf"}, {"pmo"}),
        "pack_delivery": ("delivery", {"python", "email"}, {"pmo"}),
    }
    for key, node in assets.items():
        group, kinds, team = layers[key[0]]
        assert (node["groupName"], set(node["kinds"]), owners(node)) == (group, kinds, team), key
        # words for a PMO reader: the .yml description of a dbt model, never its raw SQL
        description = node["description"] or ""
        assert description.strip() and "Raw SQL" not in description and "select" not in description, key
        assert node["partitionDefinition"] == {"description": "Monthly, starting 2024-01-01 UTC."}, key
    assert {key[1] for key in assets if key[0] == "raw"} == RAW_TABLES
    assert {node["groupName"] for node in assets.values()} == GROUPS
    assert {("marts", "fct_project_month"), ("marts", "fct_kpi_scorecard_month")} <= set(assets)
    assert nodes[("marts", "fct_project_month")]["description"].startswith("One row per project and month")
    # the quality checks' findings show on the raw table they check: a blocking check, described, on each
    for table in RAW_TABLES:
        checks = nodes[("raw", table)]["assetChecksOrError"]["checks"]
        assert checks and all(check["blocking"] and check["description"] for check in checks), table


def check_the_jobs(port: int, partitions: int) -> None:
    monthly = graphql(port, JOB, name="monthly_pack")["pipelineOrError"]
    assert monthly["__typename"] == "Pipeline", monthly
    keys = monthly["partitionKeysOrError"]["partitionKeys"]
    assert keys[0] == "2024-01-01"
    assert len(keys) == partitions
    assert "ingest the month's drop" in monthly["description"]
    assert graphql(port, JOB, name="deliver_pack")["pipelineOrError"]["__typename"] == "Pipeline"


def screenshot_the_asset_graph(port: int, folder: Path, partitions: int) -> tuple[list[str], str]:
    """The global asset lineage (groups collapsed into one node each) and the pack group's lineage, saved as
    asset-graph.png and asset-graph-pack.png; returns the group nodes drawn and the pack page's text."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(f"http://127.0.0.1:{port}/asset-groups")
        # each group is one node of the graph, its name in a foreignObject of the graph's SVG
        page.locator("svg foreignObject", has_text="delivery").first.wait_for(timeout=20_000)
        drawn = page.locator("svg foreignObject").evaluate_all("nodes => nodes.map(n => n.textContent.trim())")
        page.screenshot(path=str(folder / "asset-graph.png"))
        page.goto(f"http://127.0.0.1:{port}/locations/pipelines.definitions/asset-groups/pack")
        page.get_by_text("steering_pack", exact=True).first.wait_for(timeout=20_000)
        page.get_by_text("pack_delivery", exact=True).first.wait_for(timeout=5_000)
        # the node's body (partitions, kinds) loads after its name: the screenshot waits for it
        page.get_by_text(f"{partitions} partitions", exact=True).first.wait_for(timeout=10_000)
        text = page.inner_text("body")
        page.screenshot(path=str(folder / "asset-graph-pack.png"))
        browser.close()
    return drawn, text


@pytest.mark.slow
def test_the_dagster_ui_shows_the_asset_groups_their_owners_and_the_graph(tmp_path, dbt_manifest):
    port = free_port()
    partitions = months_since_january_2024(dt.datetime.now(dt.UTC).date())
    config = write_config(tmp_path)
    # DAGSTER_HOME is the test's own (conftest): the dialog dismissed below stays in it
    env = {**os.environ, CONFIG_ENV_VAR: str(config)}
    command = [WEBSERVER, "-m", "pipelines.definitions", "-h", "127.0.0.1", "-p", str(port)]
    process, _, err = start_logged(command, tmp_path / "logs", env=env, cwd=tmp_path)
    try:

        def answers() -> bool:
            assert process.poll() is None, err.read_text(encoding="utf-8")[-3000:]
            try:
                with DIRECT.open(f"http://127.0.0.1:{port}/server_info", timeout=2) as response:
                    return response.status == 200
            except OSError:
                return False

        wait_for(answers, 60, "the Dagster webserver", interval=0.25)
        check_the_asset_nodes(port)
        check_the_jobs(port, partitions)
        # Dagster's "join the community" dialog covers the graph on a loopback UI until dismissed once per instance
        assert graphql(port, "mutation { setNuxSeen }") == {"setNuxSeen": True}
        shots = Path(os.environ.get("STEERPACK_SCREENSHOTS") or tmp_path)
        shots.mkdir(parents=True, exist_ok=True)
        drawn, pack_page = screenshot_the_asset_graph(port, shots, partitions)
    finally:
        process.terminate()
        process.wait(timeout=30)
    # the global graph draws each group once: the quality records' group only when Dagster shows external assets
    assert GROUPS <= set(drawn) <= GROUPS | {"quality"} and len(drawn) == len(set(drawn))
    for name in ("asset-graph.png", "asset-graph-pack.png"):
        assert (shots / name).stat().st_size > 20_000 and distinct_colours(shots / name) > 50, name
    # the pack's node: its partitions (one per month ended) and kinds, as a PMO analyst reads them
    assert f"{partitions} partitions" in pack_page and "Excel" in pack_page and "Python" in pack_page
