"""The installed `steerpack` beside a broken steerpack.yaml: help works, commands say what is wrong, and
nothing reads the config when a module is imported."""

import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent
BROKEN_YAML = "first_month: [2026-01\n  inbox: : nowhere\n"


def test_help_works_beside_a_broken_config(tmp_path):
    (tmp_path / "steerpack.yaml").write_text(BROKEN_YAML, encoding="utf-8")
    result = subprocess.run(
        [str(BIN / "steerpack"), "--help"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "STEERPACK_CONFIG": str(tmp_path / "steerpack.yaml")},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: steerpack") and result.stderr == ""


def test_a_command_beside_a_broken_config_says_so_in_one_message(tmp_path):
    (tmp_path / "steerpack.yaml").write_text(BROKEN_YAML, encoding="utf-8")
    result = subprocess.run(
        [str(BIN / "steerpack"), "run", "--month", "2026-09"], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 1
    assert result.stderr.startswith(f"Error: {tmp_path / 'steerpack.yaml'}: not valid YAML")
    assert "Traceback" not in result.stderr


def test_importing_the_definitions_reads_no_config(tmp_path):
    (tmp_path / "steerpack.yaml").write_text(BROKEN_YAML, encoding="utf-8")
    code = "import pipelines.cli, pipelines.definitions, pipelines.partitions, pipelines.jobs; print('imported')"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "STEERPACK_CONFIG": str(tmp_path / "steerpack.yaml")},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "imported\n"
