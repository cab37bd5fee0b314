"""The layout's promises (DESIGN §1): core/ and sources/ know nothing of Dagster, reports/ never imports the
wiring, and nothing reads steerpack.yaml when a module is imported."""

import subprocess
import sys
from pathlib import Path

import pytest

from pipelines import REPO_ROOT
from pipelines.config import load_settings
from pipelines.definitions import build_definitions
from tests.helpers import write_config

BIN = Path(sys.executable).parent


def test_the_import_contracts_hold():
    # the contracts are in pyproject.toml ([tool.importlinter]); lint-imports follows indirect imports too
    result = subprocess.run([str(BIN / "lint-imports"), "--no-cache"], cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    # core/ and sources/ Dagster-free; reports/ never the wiring; reports/ nothing of pipelines; the floors
    assert "Contracts: 4 kept, 0 broken." in result.stdout


@pytest.mark.usefixtures("dbt_manifest")
@pytest.mark.parametrize("first_month", ["2023-03", "2025-06"])
def test_the_jobs_are_partitioned_by_the_config_they_are_built_from(tmp_path, first_month):
    # 2023-03 is earlier than the built-in default (2024-01): a job partitioned at import would refuse it
    settings = load_settings(write_config(tmp_path, first_month=first_month))
    definitions = build_definitions(settings)
    for job_name in ("monthly_pack", "deliver_pack"):
        keys = definitions.resolve_job_def(job_name).partitions_def.get_partition_keys()
        assert keys[0] == f"{first_month}-01", job_name
    assert {asset.partitions_def.get_first_partition_key() for asset in definitions.assets} == {f"{first_month}-01"}
