"""`dagster definitions validate` loads the code location as `dagster dev` would."""


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
