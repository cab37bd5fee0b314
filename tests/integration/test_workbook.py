"""The Excel pack: a sheet per section, frozen headers and filters, formats, RAG colours, native charts,
values equal to the marts', and export text that never becomes a formula."""

import pytest
from openpyxl import load_workbook

from tests.helpers import materialize, query, tiny_register_sheets, write_sheets

pytestmark = pytest.mark.slow


HOSTILE = '=HYPERLINK("http://evil.example/","click")'


def test_the_workbook_matches_the_marts_and_keeps_formulas_inert(workspace, dbt_manifest):
    sheets = tiny_register_sheets()
    sheets["Projects"][1][1] = HOSTILE  # ALPHA's name, as typed into the register
    sheets["Benefits"][1][2] = "+cmd|' /C calc'!A0"
    write_sheets(workspace.inbox / "2026-09" / "register" / "portfolio.xlsx", sheets)
    materialize(workspace, "2026-09-01")
    path = workspace.output / "packs" / "2026-09" / "steering-pack-2026-09.xlsx"
    workbook = load_workbook(path)  # openpyxl reads what Excel would
    assert workbook.sheetnames == [
        "Projects",
        "Trend",
        "Milestones",
        "Benefits",
        "Incidents",
        "Data quality",
        "Scorecard",
        "Forecast",
    ]
    projects = workbook["Projects"]
    assert projects.freeze_panes == "A2"
    assert projects.auto_filter.ref == "A1:AK3"  # 37 columns
    header = [c.value for c in projects[1]]
    rows = {r[0]: dict(zip(header, r)) for r in projects.iter_rows(min_row=2, values_only=True)}
    marts = {
        r[0]: r[1:]
        for r in query(
            workspace,
            "select project_id, project_name, bac, rag_overall, tier "
            "from marts.fct_project_month where month = '2026-09-01'",
        )
    }
    for project_id, (name, bac, rag_overall, tier) in marts.items():
        assert (
            rows[project_id]["Name"],
            rows[project_id]["BAC"],
            rows[project_id]["Overall"],
            rows[project_id]["Tier"],
        ) == (name, bac, rag_overall, tier)
    alpha_name = projects.cell(row=2 + list(rows).index("ALPHA"), column=2)
    assert alpha_name.value == HOSTILE and alpha_name.data_type == "s"  # text, not a formula
    benefit = workbook["Benefits"].cell(row=2, column=3)
    assert benefit.value == "+cmd|' /C calc'!A0" and benefit.data_type == "s"
    bac_cell = projects.cell(row=2, column=header.index("BAC") + 1)
    assert bac_cell.number_format == "#,##0"
    rag_rules = [rule for rules in projects.conditional_formatting for rule in rules.rules]
    assert {rule.formula[0] for rule in rag_rules} == {'"Red"', '"Amber"', '"Green"', '"Unknown"'}
    trend = workbook["Trend"]
    assert len(trend._charts) == 2  # native Excel charts: CPI/SPI and the S-curve
    assert [chart.title.tx.rich.p[0].r[0].t for chart in trend._charts] == ["CPI and SPI", "S-curve: PV, EV, AC"]
