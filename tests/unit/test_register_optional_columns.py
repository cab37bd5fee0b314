"""The register's optional Projects columns eac_management and budget_fx_rate (DESIGN §3, §5 Currency)."""

import math

from pipelines.sources.register import parse_register
from tests.helpers import register_header, tiny_register_sheets, write_sheets


def test_a_register_without_the_optional_columns_reads_them_as_empty(tmp_path):
    sheets = tiny_register_sheets()
    header = sheets["Projects"][0]
    keep = [i for i, name in enumerate(header) if name not in ("eac_management", "budget_fx_rate")]
    sheets["Projects"] = [[row[i] if i < len(row) else None for i in keep] for row in sheets["Projects"]]
    batch = parse_register(write_sheets(tmp_path / "register.xlsx", sheets))
    projects = batch.tables["projects"]
    assert not batch.rejects and len(projects) == 2
    assert projects["eac_management"].isna().all() and projects["budget_fx_rate"].isna().all()


def test_the_optional_columns_are_read_and_checked(tmp_path):
    sheets = tiny_register_sheets()
    assert register_header("Projects")[-3:-1] == ["eac_management", "budget_fx_rate"]  # then status_comment
    sheets["Projects"][1] = [*sheets["Projects"][1], 130000, 1.1]
    sheets["Projects"][2] = [*sheets["Projects"][2], None, 0]  # a rate of 0 cannot translate anything
    batch = parse_register(write_sheets(tmp_path / "register.xlsx", sheets))
    alpha = batch.tables["projects"].set_index("project_id").loc["ALPHA"]
    assert alpha["eac_management"] == 130000 and math.isclose(alpha["budget_fx_rate"], 1.1)
    assert [r.reason for r in batch.rejects] == ["sheet 'Projects' row 3: budget_fx_rate: 0 is not a positive FX rate"]
