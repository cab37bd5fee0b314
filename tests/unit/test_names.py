"""The names the wiring shares, and the marts the pack reads, are written down once each and agree."""

from pathlib import Path

import yaml

from pipelines.jobs import deliver_pack_job, monthly_pack_job
from pipelines.names import DELIVER_PACK_JOB, MONTHLY_PACK_JOB
from reports.fingerprint import PACK_MARTS

EXPOSURES = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "marts" / "_marts__exposures.yml"


def test_the_steering_pack_exposure_depends_on_exactly_the_marts_the_pack_reads():
    """dbt's exposure (what `dbt docs` shows as the marts' consumer) and PACK_MARTS (what the pack asset depends
    on and the fingerprint covers) name the same marts."""
    exposures = {exposure["name"]: exposure for exposure in yaml.safe_load(EXPOSURES.read_text())["exposures"]}
    refs = [ref.removeprefix("ref('").removesuffix("')") for ref in exposures["steering_pack"]["depends_on"]]
    assert sorted(refs) == sorted(PACK_MARTS) and len(refs) == len(set(refs))


def test_the_jobs_are_named_from_names():
    assert (monthly_pack_job.name, deliver_pack_job.name) == (MONTHLY_PACK_JOB, DELIVER_PACK_JOB)
