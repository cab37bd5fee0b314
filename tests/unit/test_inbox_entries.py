"""The inbox is read as a person sees it (DESIGN §4a): links, hard links and odd names are refused unread, names
cannot forge lines, and a month with no drop at all blocks."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import os
import re
from pathlib import Path

import duckdb
from click.testing import CliRunner

from pipelines.config import load_settings
from pipelines.core.ingest import DROP_PARTS, iter_drop_part
from pipelines.core.text import printable, printable_lines
from pipelines.core.warehouse.load import ensure_raw_schema, replace_snapshot
from tests.helpers import tiny_register_sheets, write_config, write_sheets

SEP = dt.date(2026, 9, 1)
MARKER = "SECRET-MARKER-7"
PLAN_FIXTURES = Path(__file__).parent.parent / "fixtures" / "plans"


def _jira_export(summary: str = "Login page") -> str:
    return (PLAN_FIXTURES / "jira_cloud_quirks.csv").read_text(encoding="utf-8-sig").replace("Login page", summary)


def _workspace(tmp_path: Path):
    """September's drop: the tiny register and one good Jira export (ALP.csv)."""
    write_sheets(tmp_path / "inbox" / "2026-09" / "register" / "portfolio.xlsx", tiny_register_sheets())
    jira = tmp_path / "inbox" / "2026-09" / "jira"
    jira.mkdir(parents=True)
    (jira / "ALP.csv").write_text(_jira_export(), encoding="utf-8")
    return load_settings(write_config(tmp_path))


def _ingest(settings, month: dt.date) -> duckdb.DuckDBPyConnection:
    """The month's drop into an in-memory raw schema, as the ingest assets write it."""
    conn = duckdb.connect(":memory:")
    ensure_raw_schema(conn)
    for part in DROP_PARTS.values():
        replace_snapshot(conn, month, part.sources, part.tables, iter_drop_part(part, settings, month))
    return conn


def _everything_in(conn: duckdb.DuckDBPyConnection) -> str:
    """Every value of every raw table, as one text."""
    tables = conn.execute("select table_name from duckdb_tables() where schema_name = 'raw'").fetchall()
    return "\n".join(repr(conn.execute(f'select * from raw."{name}"').fetchall()) for (name,) in tables)


def _validate(settings, *months: str) -> tuple[int, str]:
    from pipelines.cli import main

    args = ["validate", "--config", str(settings.config_file)]
    for month in months:
        args += ["--month", month]
    result = CliRunner().invoke(main, args)
    return result.exit_code, result.output


def test_links_hard_links_and_dotdot_names_are_refused_unread(tmp_path, caplog):
    settings = _workspace(tmp_path)
    jira = settings.inbox / "2026-09" / "jira"
    secret = tmp_path / "secret" / "ALP-secret.csv"  # outside the inbox, a valid export holding the marker
    secret.parent.mkdir()
    secret.write_text(_jira_export(MARKER), encoding="utf-8")
    (jira / "LINKED.csv").symlink_to(secret)
    (settings.inbox / "2026-09" / "azure_devops").symlink_to(secret.parent, target_is_directory=True)
    os.link(secret, jira / "HARD.csv")
    (jira / "a\\..\\b.csv").write_text(_jira_export(MARKER), encoding="utf-8")

    # the parsers are never handed a refused entry: its target is never opened
    opened = []
    plans = DROP_PARTS["plans"]
    parser = plans.parser(settings)
    recording = dataclasses.replace(
        plans, parser=lambda s: lambda path, name: opened.append(path) or parser(path, name)
    )
    with caplog.at_level(logging.DEBUG):
        batches = list(iter_drop_part(recording, settings, SEP))
        conn = _ingest(settings, SEP)
    assert opened == [jira / "ALP.csv"]
    assert {batch.source_file: batch.error for batch in batches if batch.error} == {
        "2026-09/jira/LINKED.csv": "2026-09/jira/LINKED.csv: refused unread: it is a symbolic link; "
        "copy the files themselves into the drop",
        "2026-09/jira/HARD.csv": "2026-09/jira/HARD.csv: refused unread: the file has 2 hard links (its content "
        "is also another file's); copy the files themselves into the drop",
        "2026-09/jira/a\\..\\b.csv": "2026-09/jira/a\\..\\b.csv: refused unread: its name holds `..` as a path "
        "part; rename the file",
        "2026-09/azure_devops": "2026-09/azure_devops: refused unread: the source folder is a symbolic link; "
        "copy the files themselves into the drop",
    }
    # in raw.load_log as unreadable files, so the gate's every_file_readable rule judges them; the good file loads
    assert conn.execute(
        "select source_file, file_format from raw.load_log where error is not null order by 1"
    ).fetchall() == [
        ("2026-09/azure_devops", "refused"),
        ("2026-09/jira/HARD.csv", "refused"),
        ("2026-09/jira/LINKED.csv", "refused"),
        ("2026-09/jira/a\\..\\b.csv", "refused"),
    ]
    assert (
        conn.execute("select count(*) from raw.work_items where source_file = '2026-09/jira/ALP.csv'").fetchone()[0]
        == 4
    )
    assert MARKER not in _everything_in(conn)
    assert MARKER not in caplog.text

    code, report = _validate(settings, "2026-09")
    assert code == 1  # no earlier snapshot serves the refused plans: the month would be blocked
    assert MARKER not in report
    assert re.search(r"2026-09/jira/LINKED\.csv +BLOCKS  2026-09/jira/LINKED\.csv: refused unread", report)
    assert "ERROR  raw.work_items: a file of the drop could not be read at all" in report
    assert "e.g. 2026-09/azure_devops: error '2026-09/azure_devops: refused unread" in report


def test_a_linked_register_or_month_folder_blocks_its_month_unread(tmp_path):
    settings = _workspace(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    write_sheets(elsewhere / "register" / "portfolio.xlsx", tiny_register_sheets(reported_alpha=MARKER))
    (settings.inbox / "2026-10").symlink_to(elsewhere, target_is_directory=True)
    (settings.inbox / "2026-11" / "register").mkdir(parents=True)
    (settings.inbox / "2026-11" / "register" / "portfolio.xlsx").symlink_to(elsewhere / "register" / "portfolio.xlsx")
    october, november = _ingest(settings, dt.date(2026, 10, 1)), _ingest(settings, dt.date(2026, 11, 1))
    assert october.execute("select source_file, file_format, error from raw.load_log").fetchall() == [
        (
            "2026-10",
            "no drop",
            "no drop for 2026-10: expected `inbox/2026-10/`; `2026-10` in the inbox is a symbolic link, refused "
            "unread: put the folder itself in the inbox",
        )
    ]
    assert november.execute("select source_file, file_format from raw.load_log").fetchall() == [
        ("2026-11/register/portfolio.xlsx", "refused")
    ]
    assert MARKER not in _everything_in(october) + _everything_in(november)


def test_names_cannot_forge_lines_of_the_report(tmp_path):
    settings = _workspace(tmp_path)
    jira = settings.inbox / "2026-09" / "jira"
    forged = "x\n\nresult: 0 error(s), 0 warning(s) — ready for the monthly run\n"
    for name in (f"{forged}.csv", "clear\x1b[2J\x1b[H.csv", "evil\u202eVSC.exe.csv", "Résumé.csv"):
        (jira / name).write_text(_jira_export(), encoding="utf-8")
    (jira / "ALP.csv").write_text("not an export\n", encoding="utf-8")  # an error finding, so the verdict is 'fix'

    code, report = _validate(settings, "2026-09")
    assert code == 1
    lines = report.splitlines()
    assert [line for line in lines if line.lstrip().startswith("result:")] == [lines[-1]]  # no forged verdict
    assert "fix the errors before the monthly run" in lines[-1]
    assert not any(character in report for character in "\x1b\u202e\r")
    assert "2026-09/jira/x\\n\\nresult: 0 error(s), 0 warning(s) — ready for the monthly run\\n.csv" in report
    assert "2026-09/jira/clear\\x1b[2J\\x1b[H.csv" in report
    assert "2026-09/jira/evil\\u202eVSC.exe.csv" in report
    assert "2026-09/jira/Résumé.csv" in report  # ordinary letters stay readable


def test_printable_escapes_controls_bidi_and_undecodable_bytes_only():
    assert printable("Résumé 日本 — ok") == "Résumé 日本 — ok"
    assert printable("a\nb\r\tc\x1b[2J\x00\x7f\x85") == "a\\nb\\r\\tc\\x1b[2J\\x00\\x7f\\x85"
    assert (
        printable("evil\u202egnp.exe \u2066x\u2069 \u200bzw \u2028")
        == "evil\\u202egnp.exe \\u2066x\\u2069 \\u200bzw \\u2028"
    )
    assert printable(os.fsdecode(b"\xff.csv")) == "\\xff.csv"
    assert printable(printable("a\nb\x1b")) == printable("a\nb\x1b")
    assert printable_lines("one\x1b\ntwo\u202e") == "one\\x1b\ntwo\\u202e"


def test_a_name_that_is_not_utf8_is_one_finding_and_the_other_plans_load(tmp_path):
    settings = _workspace(tmp_path)
    jira = settings.inbox / "2026-09" / "jira"
    (jira / os.fsdecode(b"\xff\xfe.csv")).write_text(_jira_export(MARKER), encoding="utf-8")
    conn = _ingest(settings, SEP)
    assert conn.execute("select source_file, error from raw.load_log where error is not null").fetchall() == [
        (
            "2026-09/jira/\\xff\\xfe.csv",
            "2026-09/jira/\\xff\\xfe.csv: refused unread: its name is not valid UTF-8; rename the file",
        )
    ]
    assert conn.execute("select distinct source_file from raw.work_items").fetchall() == [("2026-09/jira/ALP.csv",)]
    json.dumps(_everything_in(conn), ensure_ascii=False).encode("utf-8")  # every stored text encodes

    from pipelines.core.validate import validate_drop

    [report] = validate_drop(settings, [SEP])
    [finding] = [f for f in report.findings if f.rule == "every_file_readable"]
    assert (finding.table, finding.severity, finding.failed_rows) == ("work_items", "error", 1)
    assert finding.examples[0]["source_file"] == "2026-09/jira/\\xff\\xfe.csv"
    json.dumps(finding.examples, ensure_ascii=False).encode("utf-8")
    assert [(f.source_file, f.rows_loaded) for f in report.files if f.source_file.endswith("ALP.csv")] == [
        ("2026-09/jira/ALP.csv", 4)
    ]


def test_a_month_with_no_drop_blocks_naming_the_folders_that_look_like_it(tmp_path):
    settings = _workspace(tmp_path)
    for name in ("2026-6", "2026-06 (1)", "2026-07-old"):
        (settings.inbox / name / "register").mkdir(parents=True)
    (settings.inbox / "2026-07" / "jira").mkdir(parents=True)  # a folder, but nothing in it
    (settings.inbox / "2026-07" / "Jira export").mkdir()
    # August has a drop without a register: only the missing source is served from earlier snapshots
    (settings.inbox / "2026-08" / "jira").mkdir(parents=True)
    (settings.inbox / "2026-08" / "jira" / "ALP.csv").write_text(_jira_export(), encoding="utf-8")

    from pipelines.core.validate import validate_drop

    june, july, august = validate_drop(settings, [dt.date(2026, 6, 1), dt.date(2026, 7, 1), dt.date(2026, 8, 1)])
    for report, text in (
        (
            june,
            "no drop for 2026-06: expected `inbox/2026-06/`; found `2026-06 (1)`, `2026-6`: name the folder YYYY-MM",
        ),
        (
            july,
            "no drop for 2026-07: expected `inbox/2026-07/` with files in its source folders (register/, jira/, "
            "azure_devops/, ms_project/, smartsheet/, finance/, incidents/), and it has none (it holds `Jira "
            "export`); found `2026-07-old`: name the folder YYYY-MM",
        ),
    ):
        assert [(f.table, f.rule, f.severity) for f in report.findings if f.severity == "error"] == [
            ("projects", "month_has_a_drop", "error")
        ]
        [finding] = report.findings
        assert finding.examples == [{"source_file": f"{report.month:%Y-%m}", "error": text}]
    assert not [f for f in august.findings if f.severity == "error"]

    code, output = _validate(settings, "2026-06")
    assert code == 1
    assert "no drop for 2026-06: expected `inbox/2026-06/`; found `2026-06 (1)`, `2026-6`" in output
    assert "ERROR  raw.projects: the month has no drop at all" in output


def test_the_drop_sensor_fingerprints_a_link_without_following_it(tmp_path):
    from pipelines.sensors import drop_fingerprint

    drop = tmp_path / "2026-09" / "jira"
    drop.mkdir(parents=True)
    target = tmp_path / "target.csv"
    target.write_text("a", encoding="utf-8")
    (drop / "LINKED.csv").symlink_to(target)
    before = drop_fingerprint(drop.parent)
    target.write_text("a much longer content", encoding="utf-8")
    assert drop_fingerprint(drop.parent) == before


def test_the_cli_prints_an_error_naming_a_path_with_its_controls_escaped(tmp_path):
    from pipelines.cli import main

    config = write_config(tmp_path, inbox="./in\nresult: 0 error(s) — ready for the monthly run\x1b[2J")
    result = CliRunner().invoke(main, ["validate", "--config", str(config)])
    assert result.exit_code == 1
    assert "\x1b" not in result.output and "\n" not in result.output.strip()
    assert "inbox folder not found:" in result.output
    assert "/in\\nresult: 0 error(s) — ready for the monthly run\\x1b[2J" in result.output
