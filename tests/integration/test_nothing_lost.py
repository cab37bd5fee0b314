"""Nothing lost between the load log and the pack (issue 25, DESIGN §4 and §4a): item identity across Jira sites,
a quarantined register row that keeps its project, and a blocked month that never serves a later one."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest

from tests.helpers import materialize, query, register_header, run_month, tiny_register_sheets, write_sheets

pytestmark = pytest.mark.slow

SEP, OCT = dt.date(2026, 9, 1), dt.date(2026, 10, 1)
JIRA_HEADER = "Issue key,Issue id,Summary,Issue Type,Status,Status Category,Project key,Created,Resolved"


def _jira_project(project_id: str, name: str, plan_key: str) -> list:
    return [project_id, name, 2, "Ann Sponsor", "Pat Manager", "Green", "Execution", 50000, "USD",
            dt.date(2026, 1, 5), dt.date(2026, 12, 18), dt.date(2026, 11, 2), None, "jira", plan_key,
            f"WBS-{plan_key}", ""]  # fmt: skip


def _register(month: dt.date) -> dict[str, list[list]]:
    """The tiny register, plus GAMMA (plan GAM, on a second Jira site) and DELTA (plan DEL, on ALPHA's site).
    October's row of ALPHA has an unreadable BAC, and October adds EPSILON, whose only row has tier 1.5, with a
    recipient scoped to it."""
    sheets = copy.deepcopy(tiny_register_sheets())
    sheets["Projects"] += [_jira_project("GAMMA", "Gamma Field App", "GAM"), _jira_project("DELTA", "Delta", "DEL")]
    if month == OCT:
        alpha = next(row for row in sheets["Projects"] if row[0] == "ALPHA")
        alpha[7] = "tbd"
        epsilon = _jira_project("EPSILON", "Epsilon", "EPS")
        epsilon[2] = 1.5
        sheets["Projects"].append(epsilon)
        sheets["Distribution"].append(["eve@example.com", "Eve Sponsor", "Sponsor", "EPSILON"])
    return sheets


def _jira(key: str, issue_id: str | None, project: str, done: bool = True) -> str:
    status = "Done,Done" if done else "To Do,To Do"
    id_cell = "" if issue_id is None else f"{issue_id},"
    return (
        f"{key},{id_cell}Story {key},Story,{status},{project},01/Mar/26 9:00 AM,{'15/Aug/26 5:00 PM' if done else ''}"
    )


def _write_jira(folder, name: str, rows: list[str], with_issue_id: bool = True) -> None:
    header = JIRA_HEADER if with_issue_id else JIRA_HEADER.replace("Issue id,", "")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(header + "\r\n" + "\r\n".join(rows) + "\r\n", encoding="utf-8")


def _items_per_project(settings, month: dt.date) -> dict[str, list[str]]:
    rows = query(
        settings,
        "select project_id, item_key from intermediate.int_work_items_as_of_month where month = ? order by 1, 2",
        [month],
    )
    found: dict[str, list[str]] = {}
    for project_id, key in rows:
        found.setdefault(project_id, []).append(key)
    return found


def test_two_jira_sites_a_move_and_a_quarantined_register_row_lose_nothing(workspace, dbt_manifest):
    # September: ALP (site 1) and GAM (site 2) both number from 10001; DEL (site 1) is a "current fields" export
    # without the Issue id column. October: ALP-3 (10003) moved to DEL as DEL-7 (ALP's export no longer lists
    # it), and DEL's export is "all fields": DEL-1 and DEL-2 now carry ids 10004 and 10005.
    inbox = workspace.inbox
    for month in (SEP, OCT):
        write_sheets(inbox / f"{month:%Y-%m}" / "register" / "portfolio.xlsx", _register(month))
    _write_jira(inbox / "2026-09" / "jira", "ALP.csv", [_jira(f"ALP-{n}", f"1000{n}", "ALP") for n in (1, 2, 3)])
    _write_jira(inbox / "2026-09" / "jira", "GAM.csv", [_jira(f"GAM-{n}", f"1000{n}", "GAM") for n in (1, 2)])
    _write_jira(inbox / "2026-09" / "jira", "DEL.csv", [_jira(f"DEL-{n}", None, "DEL") for n in (1, 2)], False)
    _write_jira(inbox / "2026-10" / "jira", "ALP.csv", [_jira(f"ALP-{n}", f"1000{n}", "ALP") for n in (1, 2)])
    _write_jira(inbox / "2026-10" / "jira", "GAM.csv", [_jira(f"GAM-{n}", f"1000{n}", "GAM") for n in (1, 2)])
    _write_jira(
        inbox / "2026-10" / "jira",
        "DEL.csv",
        [_jira("DEL-1", "10004", "DEL"), _jira("DEL-2", "10005", "DEL"), _jira("DEL-7", "10003", "DEL", False)],
    )

    materialize(workspace, "2026-09-01", through_marts=True)
    assert _items_per_project(workspace, SEP) == {
        "ALPHA": ["ALP-1", "ALP-2", "ALP-3"],
        "DELTA": ["DEL-1", "DEL-2"],
        "GAMMA": ["GAM-1", "GAM-2"],
    }
    [(failed, examples)] = query(
        workspace,
        "select failed_rows, examples from raw.quality_findings "
        "where snapshot_month = ? and rule = 'issue_id_listed_under_two_keys' and severity = 'warn'",
        [SEP],
    )
    assert failed == 2
    assert [(e["issue_id"], e["key_a"], e["file_a"], e["key_b"], e["file_b"]) for e in json.loads(examples)] == [
        ("10001", "ALP-1", "2026-09/jira/ALP.csv", "GAM-1", "2026-09/jira/GAM.csv"),
        ("10002", "ALP-2", "2026-09/jira/ALP.csv", "GAM-2", "2026-09/jira/GAM.csv"),
    ]

    materialize(workspace, "2026-10-01")
    # the moved issue counts once, in its new project; the key-only September rows are the same two DEL issues
    assert _items_per_project(workspace, OCT) == {
        "ALPHA": ["ALP-1", "ALP-2"],
        "DELTA": ["DEL-1", "DEL-2", "DEL-7"],
        "GAMMA": ["GAM-1", "GAM-2"],
    }
    # DELTA earned 2 of its 3 items (count mode: no points), GAMMA all of its own
    progress = dict(
        query(workspace, "select project_id, percent_complete from marts.fct_project_month where month = ?", [OCT])
    )
    assert progress["DELTA"] == pytest.approx(2 / 3) and progress["GAMMA"] == pytest.approx(1.0)

    # ALPHA's October row was quarantined: September's row serves it, and it says so; EPSILON has no readable row
    # at all: listed, not graded; the scope naming it did not block the month
    rows = query(
        workspace,
        "select project_id, register_snapshot_month, rag_overall, data_gaps, not_graded_reason "
        "from marts.fct_project_month where month = ? and project_id in ('ALPHA', 'EPSILON') order by 1",
        [OCT],
    )
    (alpha, epsilon) = rows
    assert alpha[:2] == ("ALPHA", SEP) and alpha[4] is None
    assert (
        "register row quarantined (2026-10/register/portfolio.xlsx sheet 'Projects' row 2: bac: 'tbd' is not a number)"
        ": this month uses the 2026-09 register row"
    ) in alpha[3]
    assert epsilon[:3] == ("EPSILON", OCT, "Unknown")
    assert epsilon[4].startswith(
        "not graded: register row unreadable (2026-10/register/portfolio.xlsx sheet 'Projects'"
    )
    pack = (workspace.output / "packs" / "2026-10" / "steering-pack-2026-10.html").read_text(encoding="utf-8")
    assert '<tr data-project="EPSILON">' in pack and "not graded: register row unreadable" in pack
    page = (workspace.output / "packs" / "2026-10" / "projects" / "EPSILON.html").read_text(encoding="utf-8")
    assert 'id="not-graded"' in page
    gaps = dict(query(workspace, "select project_id, data_gaps from marts.fct_project_month where month = ?", [OCT]))
    # every Jira project's rows reached it: no "no plan rows", no "rows loaded, 0 kept"
    assert all("plan rows" not in (gaps[project] or "") for project in ("ALPHA", "DELTA", "GAMMA")), gaps
    assert all("0 kept" not in (gaps[project] or "") for project in ("ALPHA", "DELTA", "GAMMA")), gaps


def _alpha_export(rows: int, unreadable: int) -> str:
    lines = [
        f"ALP-{n},{10000 + n},Story {n},Story,Done,Done,ALP,{'soon' if n <= unreadable else '01/Mar/26 9:00 AM'},"
        for n in range(1, rows + 1)
    ]
    return JIRA_HEADER + "\r\n" + "\r\n".join(lines) + "\r\n"


def test_a_blocked_months_snapshot_never_serves_a_later_month(workspace, dbt_manifest):
    inbox = workspace.inbox
    for month in ("2026-01", "2026-02", "2026-03"):
        write_sheets(inbox / month / "register" / "portfolio.xlsx", tiny_register_sheets())
    (inbox / "2026-01" / "jira").mkdir(parents=True)
    (inbox / "2026-01" / "jira" / "ALP.csv").write_text(_alpha_export(4, 0), encoding="utf-8")
    # February's export: 10 of 12 rows have an unreadable Created date; a layout problem that blocks the month
    (inbox / "2026-02" / "jira").mkdir(parents=True)
    (inbox / "2026-02" / "jira" / "ALP.csv").write_text(_alpha_export(12, 10), encoding="utf-8")

    materialize(workspace, "2026-01-01", through_marts=True)
    assert not run_month(workspace, "2026-02-01", through_marts=True).success
    assert query(
        workspace, "select rule from raw.quality_findings where snapshot_month = '2026-02-01' and severity = 'error'"
    ) == [("file_mostly_quarantined",)]
    # March has no Jira drop: January's export serves it, not February's two loaded rows
    materialize(workspace, "2026-03-01", through_marts=True)
    assert query(
        workspace,
        "select snapshot_month, count(*) from intermediate.int_work_items_as_of_month where month = '2026-03-01' "
        "group by 1",
    ) == [(dt.date(2026, 1, 1), 4)]


def test_register_header_is_what_the_register_parser_reads():
    # the helpers above build registers by position: a change of column order must fail here, not mislead above
    assert register_header("Projects")[2] == "tier" and register_header("Projects")[7] == "bac"
