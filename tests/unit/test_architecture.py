"""The layout's promises (DESIGN §1): core/ and sources/ know nothing of Dagster, reports/ never imports the
wiring, and nothing reads steerpack.yaml when a module is imported."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines import REPO_ROOT
from pipelines.config import load_settings
from pipelines.definitions import build_definitions
from tests.helpers import write_config

BIN = Path(sys.executable).parent
BROKEN_YAML = "first_month: [2026-01\n  inbox: : nowhere\n"


def test_the_import_contracts_hold():
    # the contracts are in pyproject.toml ([tool.importlinter]); lint-imports follows indirect imports too
    result = subprocess.run([str(BIN / "lint-imports"), "--no-cache"], cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


def test_help_works_beside_a_broken_config(tmp_path):
    (tmp_path / "steerpack.yaml").write_text(BROKEN_YAML, encoding="utf-8")
    result = subprocess.run([str(BIN / "steerpack"), "--help"], cwd=tmp_path, capture_output=True, text=True,
                            env={**os.environ, "STEERPACK_CONFIG": str(tmp_path / "steerpack.yaml")})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: steerpack") and result.stderr == ""


def test_a_command_beside_a_broken_config_says_so_in_one_message(tmp_path):
    (tmp_path / "steerpack.yaml").write_text(BROKEN_YAML, encoding="utf-8")
    result = subprocess.run([str(BIN / "steerpack"), "run", "--month", "2026-09"], cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.startswith(f"Error: {tmp_path / 'steerpack.yaml'}: not valid YAML")
    assert "Traceback" not in result.stderr


def test_importing_the_definitions_reads_no_config(tmp_path):
    (tmp_path / "steerpack.yaml").write_text(BROKEN_YAML, encoding="utf-8")
    code = "import pipelines.cli, pipelines.definitions, pipelines.partitions, pipelines.jobs; print('imported')"
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                            env={**os.environ, "STEERPACK_CONFIG": str(tmp_path / "steerpack.yaml")})
    assert result.returncode == 0, result.stderr
    assert result.stdout == "imported\n"


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
