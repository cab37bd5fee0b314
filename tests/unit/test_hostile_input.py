"""Hostile and broken input (issue 14): each case builds its bad input here and asserts the clear error or the
right behaviour, and that nothing is written outside the output folder."""

from __future__ import annotations

import datetime as dt
import email
import io
import shutil
import zipfile
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.styles import Font

from pipelines.config import SmtpSettings
from pipelines.core import files
from pipelines.core.delivery.transports import OutboxTransport, RecipientError, SmtpTransport, eml_name
from pipelines.core.packs import project_page_paths, scoped_pack_paths
from pipelines.core.quality.findings import ERROR, WARN
from pipelines.core.quality.suites import load_suites
from pipelines.core.quality.table_check import validate_table
from pipelines.sources.common import SourceFormatError
from pipelines.sources.delimited import read_delimited
from pipelines.sources.finance import parse_finance_file
from pipelines.sources.incidents import parse_incident_file
from pipelines.sources.ms_project import parse_ms_project
from pipelines.sources.plans import parse_plan_file
from pipelines.sources.register import parse_register
from pipelines.sources.smartsheet import parse_smartsheet
from pipelines.sources.xlsx import WorkbookLimits
from reports.charts import line_chart_svg, slip_chart_svg
from tests.helpers import GOOD, PLAN_FIXTURES, STORY_POINTS, insert, jira_csv, tiny_register_sheets, write_sheets
from tests.smtp_server import PASSWORD, SmtpServer

SEP = dt.date(2026, 9, 1)


VARIABLES = {"base_currency": "USD"}


def findings(conn, table, **kwargs):
    return {f.rule.split("(")[0]: f for f in validate_table(conn, load_suites()[table], SEP, VARIABLES, **kwargs)}


@pytest.mark.parametrize(
    "project_id",
    ["../../../../var/x", "/tmp/x", "A/B", "A\\B", "..", ".", "a b", "P1\n", "x" * 101, "ü-project", "P\x001"],
)
def test_a_project_id_that_is_not_a_safe_name_blocks_the_month(conn, project_id):
    insert(conn, "projects", [{**GOOD["projects"], "project_id": project_id}])
    errors = [f for f in validate_table(conn, load_suites()["projects"], SEP, VARIABLES) if f.severity == ERROR]
    assert len(errors) == 1 and errors[0].failed_rows == 1
    assert "safe name" in errors[0].description or "dots" in errors[0].description
    assert errors[0].examples[0]["source_row"] == 2


@pytest.mark.parametrize("project_id", ["CRM", "PRJ-0001", "wms_2.0", "a.b-c_d"])
def test_ordinary_project_ids_pass(conn, project_id):
    insert(conn, "projects", [{**GOOD["projects"], "project_id": project_id}])
    assert [f for f in validate_table(conn, load_suites()["projects"], SEP, VARIABLES) if f.severity == ERROR] == []


@pytest.mark.parametrize("project_id", ["../../../../var/x", "/tmp/x", "A/B", "..", "a'b"])
def test_project_pages_are_named_inside_the_output_folder_whatever_the_id(tmp_path, project_id):
    output = tmp_path / "output"
    paths = project_page_paths(output, SEP, project_id)
    projects = output / "packs" / "2026-09" / "projects"
    for path in paths.values():
        assert path.parent == projects and "/" not in path.name and path.name not in (".html", "..html")
        files.write_atomic(path, "page", output)
    assert sorted(p.parent for p in output.rglob("*.html")) == [projects]
    assert project_page_paths(output, SEP, "CRM")["html"].name == "CRM.html"  # safe ids keep their own name
    assert project_page_paths(output, SEP, "a'b")["html"] != project_page_paths(output, SEP, "a_b")["html"]


def test_no_writer_can_write_outside_its_root(tmp_path):
    output = tmp_path / "output"
    with pytest.raises(files.UnsafePathError, match="outside"):
        files.write_atomic(output / "packs" / ".." / ".." / "escape.html", "x", output)
    (tmp_path / "elsewhere").mkdir()
    output.mkdir()
    (output / "link").symlink_to(tmp_path / "elsewhere")  # a link inside output/ pointing out of it
    with pytest.raises(files.UnsafePathError):
        files.write_atomic(output / "link" / "x.html", "x", output)
    assert not (tmp_path / "escape.html").exists() and not list((tmp_path / "elsewhere").iterdir())


def test_each_scope_gets_a_folder_of_its_own_inside_scoped(tmp_path):
    """{CRM, EU} and {CRM_EU} once shared the folder `CRM_EU`: one reader's pack overwrote the other's, and both
    were sent the same attachments."""
    output = tmp_path / "output"
    scoped = output / "packs" / "2026-09" / "scoped"
    scopes = [
        frozenset({"CRM", "EU"}),
        frozenset({"CRM_EU"}),
        frozenset({"EU", "CRM"}),
        frozenset({".."}),
        frozenset({"../x"}),
        frozenset({"a/b", "c"}),
    ]
    folders = [scoped_pack_paths(output, SEP, scope)["html"].parent for scope in scopes]
    assert folders[0].name == "CRM+EU" and folders[1].name == "CRM_EU" and folders[2] == folders[0]
    assert len({folders[0], folders[1], *folders[3:]}) == 5
    for folder in folders:
        assert folder.parent == scoped and folder.name not in (".", "..")
        files.inside(output, folder / "x.html")


def distribution_rows(*rows):
    return [{"email": email_, "name": "n", "role": "r", "scope": scope} for email_, scope in rows]


def test_one_address_with_two_scopes_is_a_blocking_error_naming_both_rows(conn):
    insert(conn, "projects", [GOOD["projects"]])
    insert(
        conn,
        "distribution",
        distribution_rows(("pm.ab@example.com", "P1"), ("other@example.com", "P1"), ("PM.AB@Example.com", "portfolio")),
    )
    found = findings(conn, "distribution")
    conflict = found["one_scope_per_address"]
    assert (conflict.severity, conflict.failed_rows) == (ERROR, 2)
    assert [(e["source_row"], e["email"], e["scope"]) for e in conflict.examples] == [
        (2, "pm.ab@example.com", "P1"),
        (4, "PM.AB@Example.com", "portfolio"),
    ]


def test_identical_duplicates_collapse_with_a_warning(conn):
    insert(conn, "projects", [GOOD["projects"]])
    insert(conn, "distribution", distribution_rows(("pm.ab@example.com", "P1"), ("PM.AB@example.com", "P1")))
    found = findings(conn, "distribution")
    assert "one_scope_per_address" not in found
    assert (found["address_listed_once"].severity, found["address_listed_once"].failed_rows) == (WARN, 2)


def test_a_scope_in_another_order_is_the_same_scope(conn):
    insert(conn, "projects", [GOOD["projects"], {**GOOD["projects"], "project_id": "P2", "finance_codes": "W2"}])
    insert(conn, "distribution", distribution_rows(("a@example.com", "P1;P2"), ("A@example.com", "P2;P1")))
    assert "one_scope_per_address" not in findings(conn, "distribution")


def parse_distribution(tmp_path, *rows):
    sheets = tiny_register_sheets()
    sheets["Distribution"] = [sheets["Distribution"][0], *[[address, "N", "Sponsor", scope] for address, scope in rows]]
    return parse_register(write_sheets(tmp_path / "portfolio.xlsx", sheets), "portfolio.xlsx")


def test_a_cell_with_two_addresses_or_an_empty_scope_is_refused_and_blocks_the_month(tmp_path, conn):
    batch = parse_distribution(
        tmp_path,
        ("outsider,pm.ab@example.com", "BETA"),
        ("ok@example.com", ";;"),
        ("Pat Sponsor <Pat@Example.com>", "BETA; BETA"),
        ("bob@example.com", "portfolio"),
    )
    assert batch.tables["distribution"][["email", "scope"]].values.tolist() == [
        ["Pat@Example.com", "BETA"],
        ["bob@example.com", "portfolio"],
    ]
    reasons = {r.source_row: r.reason for r in batch.rejects if r.table == "distribution"}
    assert "holds 2 addresses" in reasons[2] and "names no project" in reasons[3]
    assert batch.rows_read["distribution"] == 4  # read = loaded + quarantined
    # the quarantined rows block the month: the list decides who sees what
    conn.execute(
        "insert into raw.quarantine (snapshot_month, source, source_file, source_row, table_name, reason) "
        "select ?, 'register', 'portfolio.xlsx', ?, 'distribution', ?",
        [SEP, 2, reasons[2]],
    )
    blocking = findings(conn, "distribution")["every_distribution_row_loaded"]
    assert blocking.severity == ERROR and "holds 2 addresses" in blocking.examples[0]["reason"]


def test_an_address_with_the_dns_roots_dot_is_the_same_address_and_cannot_take_a_second_scope(tmp_path, conn):
    batch = parse_distribution(
        tmp_path,
        ("pm.ab@example.com", "BETA"),
        ("PM.AB@example.com.", "portfolio"),
        ("x@example..com", "BETA"),
        ("y@.example.com", "BETA"),
    )
    assert batch.tables["distribution"]["email"].tolist() == ["pm.ab@example.com", "PM.AB@example.com"]
    reasons = {r.source_row: r.reason for r in batch.rejects if r.table == "distribution"}
    assert sorted(reasons) == [4, 5] and all("is not an e-mail address" in reason for reason in reasons.values())
    insert(conn, "projects", [{**GOOD["projects"], "project_id": "BETA"}])
    insert(conn, "distribution", distribution_rows(("pm.ab@example.com", "BETA"), ("PM.AB@example.com", "portfolio")))
    assert findings(conn, "distribution")["one_scope_per_address"].severity == ERROR


def message_to(to: str, body: str = "hello") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "PMO <pmo@example.com>"
    message["To"] = to
    message["Subject"] = "pack"
    message.set_content(body)
    return message


def test_smtp_gets_exactly_one_envelope_recipient_and_a_two_address_header_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("STEERPACK_TEST_SMTP_PASSWORD", PASSWORD)
    with SmtpServer(tmp_path) as server:
        transport = SmtpTransport(SmtpSettings(**server.smtp_config()))
        transport.send(message_to("pm.ab@example.com"), "2026-09")
        with pytest.raises(RecipientError, match="not exactly one address"):
            transport.send(message_to("outsider@evil.example, pm.ab@example.com"), "2026-09")
        # a Cc or Bcc header (none is ever built, but whatever the message says) never adds an envelope recipient:
        # smtplib.send_message would take them as recipients unless to_addrs names the one
        copied = message_to("pm.cd@example.com")
        copied["Cc"] = "outsider@evil.example"
        copied["Bcc"] = "other.outsider@evil.example"
        transport.send(copied, "2026-09")
        assert [r.envelope_to for r in server.mailbox.received] == [["pm.ab@example.com"], ["pm.cd@example.com"]]


def test_addresses_that_sanitise_alike_get_their_own_outbox_files(tmp_path):
    output = tmp_path / "output"
    transport = OutboxTransport(output)
    first = transport.send(message_to("a'b@example.com", "for a'b"), "2026-09")
    second = transport.send(message_to("a_b@example.com", "for a_b"), "2026-09")
    assert first != second
    assert eml_name("a_b@example.com") == "a_b@example.com.eml"  # plain addresses keep their own name
    bodies = {
        Path(p).name: email.message_from_bytes(Path(p).read_bytes(), policy=policy.default).get_content().strip()
        for p in (first, second)
    }
    assert sorted(bodies.values()) == ["for a'b", "for a_b"]
    assert eml_name("A_B@Example.com") == eml_name("a_b@example.com")  # one address, whatever its case


def rewrite_member(path: Path, member: str, change) -> Path:
    """Rewrite one part of a zip (an .xlsx), the others copied as they are."""
    source = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(source)) as original, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in original.infolist():
            data = original.read(item.filename)
            out.writestr(item, change(data) if item.filename == member else data)
    return path


def add_member(path: Path, member: str, data: bytes) -> Path:
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, data)
    return path


def smartsheet_file(path: Path, corner_cell: bool = False) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Task Name", "Start", "Finish", "Duration", "% Complete"])
    sheet.append(["Phase 1", dt.datetime(2026, 1, 5), dt.datetime(2026, 2, 27), "40d", 0.5])
    sheet.append(["Build", dt.datetime(2026, 1, 5), dt.datetime(2026, 1, 30), "20d", 1.0])
    sheet.append(["Go-live", dt.datetime(2026, 2, 27), dt.datetime(2026, 2, 27), "0", 0])
    sheet.row_dimensions[3].outline_level = 1
    sheet.row_dimensions[4].outline_level = 1
    if corner_cell:
        sheet["XFD1048576"].font = Font(bold=True)  # one styled, empty cell at the sheet's last corner
    workbook.save(path)
    return path


def test_a_styled_cell_at_the_last_corner_costs_nothing_and_the_tasks_load(tmp_path):
    path = smartsheet_file(tmp_path / "plan.xlsx", corner_cell=True)
    batch = parse_smartsheet(path, "plan.xlsx")
    tasks = batch.tables["schedule_tasks"]
    assert tasks["task_name"].tolist() == ["Phase 1", "Build", "Go-live"]
    assert tasks["outline_level"].tolist() == [1, 2, 2] and tasks["is_summary"].tolist() == [True, False, False]
    assert tasks["percent_complete"].tolist() == [50.0, 100.0, 0.0] and tasks["is_milestone"].tolist()[-1]
    assert batch.rows_read["schedule_tasks"] == 3


def test_a_register_with_a_styled_corner_cell_loads_its_rows(tmp_path):
    path = write_sheets(tmp_path / "portfolio.xlsx", tiny_register_sheets())
    workbook_path = path
    from openpyxl import load_workbook

    workbook = load_workbook(workbook_path)
    workbook["Projects"]["XFD1048576"].font = Font(bold=True)
    workbook.save(workbook_path)
    batch = parse_register(workbook_path, "portfolio.xlsx")
    assert batch.tables["projects"]["project_id"].tolist() == ["ALPHA", "BETA"]


def test_a_part_that_inflates_past_the_ratio_cap_is_refused_before_parsing(tmp_path):
    path = add_member(
        write_sheets(tmp_path / "portfolio.xlsx", tiny_register_sheets()), "xl/media/bomb.bin", bytes(8 * 1024 * 1024)
    )  # 8 MiB of zeros compress about a thousandfold
    with pytest.raises(
        SourceFormatError,
        match=r"^portfolio\.xlsx: part xl/media/bomb\.bin is compressed .* "
        r"\(limits\.compression_ratio\)",
    ):
        parse_register(path, "portfolio.xlsx")


def test_a_part_over_the_size_cap_is_refused_naming_the_cap(tmp_path):
    path = write_sheets(tmp_path / "portfolio.xlsx", tiny_register_sheets())
    with pytest.raises(SourceFormatError, match=r"over the cap of 0 MiB \(limits\.member_bytes\)"):
        parse_register(path, "portfolio.xlsx", WorkbookLimits(member_bytes=1000))


def test_rows_and_columns_over_their_caps_are_refused_naming_the_sheet(tmp_path):
    sheets = tiny_register_sheets()
    sheets["RAID"] += [[f"R{n}", "ALPHA", "Risk", "t", "o", "High", "Open", None, None, None] for n in range(2, 12)]
    path = write_sheets(tmp_path / "portfolio.xlsx", sheets)
    with pytest.raises(SourceFormatError, match=r"sheet 'RAID': more than 10 rows, over the cap .*limits\.sheet_rows"):
        parse_register(path, "portfolio.xlsx", WorkbookLimits(sheet_rows=10))
    with pytest.raises(
        SourceFormatError,
        # the header's last column, status_comment (the 20th, after the optional eac_management and budget_fx_rate)
        match=r"sheet 'Projects': row 1 has content in column 20, over the cap of "
        r"16 columns \(limits\.sheet_columns\)",
    ):
        parse_register(path, "portfolio.xlsx", WorkbookLimits(sheet_columns=16))


def test_a_long_run_of_empty_rows_ends_the_sheet_and_the_load_log_says_where(tmp_path):
    from openpyxl import load_workbook

    path = write_sheets(tmp_path / "portfolio.xlsx", tiny_register_sheets())
    workbook = load_workbook(path)
    raid = workbook["RAID"]
    for row in range(3, 9):
        raid.cell(row=row, column=1).font = Font(bold=True)  # styled, empty rows the XML holds
    raid.cell(row=9, column=1, value="R9")
    workbook.save(path)
    batch = parse_register(path, "portfolio.xlsx", WorkbookLimits(empty_rows_run=5))
    assert batch.tables["raid"]["raid_id"].tolist() == ["R1"]
    assert any("sheet 'RAID': reading stopped after row 2" in note for note in batch.notes)
    # the default run is long: the row below six empty ones is read (and rejected for its missing columns)
    batch = parse_register(path, "portfolio.xlsx")
    assert batch.rows_read["raid"] == 2 and not batch.notes


def test_a_stale_dimension_element_does_not_cut_rows_off(tmp_path):
    sheets = tiny_register_sheets()
    sheets["RAID"] += [[f"R{n}", "ALPHA", "Risk", "t", "o", "High", "Open", None, None, None] for n in range(2, 6)]
    path = write_sheets(tmp_path / "portfolio.xlsx", sheets)
    sheet_index = list(sheets).index("RAID") + 1

    def stale(xml: bytes) -> bytes:
        start = xml.index(b"<dimension ")
        end = xml.index(b"/>", start) + 2
        return xml[:start] + b'<dimension ref="A1:J2"/>' + xml[end:]

    rewrite_member(path, f"xl/worksheets/sheet{sheet_index}.xml", stale)
    batch = parse_register(path, "portfolio.xlsx")
    assert batch.tables["raid"]["raid_id"].tolist() == ["R1", "R2", "R3", "R4", "R5"]
    assert batch.rows_read["raid"] == 5


@pytest.mark.parametrize("damage", ["truncated sheet", "bad deflate data", "not a zip"])
def test_a_damaged_workbook_is_one_clear_error_naming_the_file(tmp_path, damage):
    path = write_sheets(tmp_path / "portfolio.xlsx", tiny_register_sheets())
    if damage == "truncated sheet":
        rewrite_member(path, "xl/worksheets/sheet1.xml", lambda xml: xml[: len(xml) // 2])
    elif damage == "bad deflate data":
        data = bytearray(path.read_bytes())
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("xl/worksheets/sheet1.xml")
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
        for offset in range(start + 10, start + min(info.compress_size, 60)):
            data[offset] ^= 0x5A
        path.write_bytes(bytes(data))
    else:
        path.write_bytes(b"PK\x03\x04" + bytes(200))
    for parse in (
        lambda: parse_register(path, "2026-09/register/portfolio.xlsx"),
        lambda: parse_plan_file(path, "2026-09/smartsheet/portfolio.xlsx", STORY_POINTS),
        lambda: parse_finance_file(path, "2026-09/finance/portfolio.xlsx", ()),
    ):
        with pytest.raises(SourceFormatError, match=r"^2026-09/\w+/portfolio\.xlsx: not a readable Excel workbook"):
            parse()


MSPDI = """<?xml version="1.0" encoding="UTF-8"?>
{doctype}<Project xmlns="http://schemas.microsoft.com/project"><Tasks><Task><UID>1</UID><Name>{name}</Name>
<Start>2026-01-05T08:00:00</Start><Finish>2026-01-30T17:00:00</Finish></Task></Tasks></Project>"""


@pytest.mark.parametrize(
    "doctype, name",
    [
        ('<!DOCTYPE Project [<!ENTITY who "injected">]>', "&who;"),
        (
            '<!DOCTYPE Project [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
            '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>',
            "&c;",
        ),
        ('<!DOCTYPE Project [<!ENTITY x SYSTEM "file:///etc/passwd">]>', "&x;"),
    ],
)
def test_mspdi_with_a_dtd_or_entities_is_refused(tmp_path, doctype, name):
    path = tmp_path / "plan.xml"
    path.write_text(MSPDI.format(doctype=doctype, name=name), encoding="utf-8")
    with pytest.raises(SourceFormatError, match=r"^plan\.xml: refused: the XML declares a DTD or entities"):
        parse_ms_project(path, "plan.xml")
    path.write_text(MSPDI.format(doctype="", name="Build &amp; test"), encoding="utf-8")
    assert parse_ms_project(path, "plan.xml").tables["schedule_tasks"]["task_name"].tolist() == ["Build & test"]


@pytest.mark.parametrize(
    "fixture, parse",
    [
        ("plans/jira_cloud_quirks.csv", lambda p: parse_plan_file(p, p.name, STORY_POINTS)),
        ("plans/jira_server_key.csv", lambda p: parse_plan_file(p, p.name, STORY_POINTS)),
        ("plans/ado_partly_quoted.csv", lambda p: parse_plan_file(p, p.name, STORY_POINTS)),
        ("incidents/jsm.csv", lambda p: parse_incident_file(p, p.name)),
        ("incidents/servicenow_list.csv", lambda p: parse_incident_file(p, p.name)),
        ("incidents/pagerduty.csv", lambda p: parse_incident_file(p, p.name)),
        ("finance/sap_cji3_sep.csv", None),
    ],
)
def test_an_export_with_only_its_header_loads_no_rows(tmp_path, fixture, parse):
    source = PLAN_FIXTURES.parent / fixture
    header = source.read_bytes().split(b"\n", 1)[0] + b"\n"
    path = tmp_path / source.name
    path.write_bytes(header)
    if parse is None:
        from pipelines.config import load_settings

        layouts = load_settings().finance.spend_layouts()
        parse = lambda p: parse_finance_file(p, p.name, layouts)  # noqa: E731
    batch = parse(path)
    assert batch.error is None and batch.rejects == []
    assert {table: len(frame) for table, frame in batch.tables.items()} == dict.fromkeys(batch.tables, 0)
    assert set(batch.rows_read.values()) == {0}


def test_a_cell_longer_than_arrows_block_loads_with_the_rows_around_it(tmp_path):
    path = tmp_path / "jira.csv"
    long_text = "x" * (20 * 1024 * 1024)  # 20 MB: more than one 16 MB block
    path.write_text(jira_csv(["short", long_text, "after"]), encoding="utf-8")
    table = read_delimited(path, "jira.csv")
    assert table.malformed == [] and table.source_row.tolist() == [2, 3, 4]
    assert table.column("Issue key").tolist() == ["ALP-1", "ALP-2", "ALP-3"]
    assert len(table.column("Description")[1]) == len(long_text)


def test_nul_bytes_are_removed_wherever_they_are_and_the_load_log_says_so(tmp_path):
    path = tmp_path / "jira.csv"
    text = jira_csv(["Caf\x00é", "late\x00 NUL"])
    path.write_bytes(text.encode("utf-8"))
    assert path.read_bytes().index(b"\x00") < 4096  # one within the first 4 KB, which used to refuse the file
    batch = parse_plan_file(path, "jira.csv", STORY_POINTS)
    assert batch.tables["work_items"]["item_key"].tolist() == ["ALP-1", "ALP-2"]
    assert "2 NUL character(s) removed" in "\n".join(batch.notes)
    assert batch.rejects == []


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-16"])
def test_utf16_with_or_without_a_byte_order_mark_keeps_its_accents(tmp_path, encoding):
    path = tmp_path / "jira.csv"
    path.write_bytes(jira_csv(["Café crème", "Ærøskøbing naïve"]).replace("Story 1", "Résumé").encode(encoding))
    table = read_delimited(path, "jira.csv")
    assert table.column("Summary").tolist() == ["Résumé", "Story 2"]
    assert table.column("Description").tolist() == ["Café crème", "Ærøskøbing naïve"]
    assert any(note.startswith("read as UTF-16") for note in table.notes)


def test_real_binary_is_still_refused(tmp_path):
    path = tmp_path / "jira.csv"
    path.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(SourceFormatError, match=r"^jira\.csv: binary data, not a text export$"):
        read_delimited(path, "jira.csv")


def test_dates_far_from_the_snapshot_are_warned_with_their_rows(conn):
    insert(
        conn,
        "projects",
        [
            {**GOOD["projects"], "baseline_start": dt.date(1900, 1, 1)},
            {**GOOD["projects"], "project_id": "P2", "finance_codes": "W2", "go_live_planned": dt.date(2999, 12, 31)},
        ],
    )
    found = {f.rule: f for f in validate_table(conn, load_suites()["projects"], SEP, VARIABLES)}
    start, go_live = found["dates_plausible(baseline_start)"], found["dates_plausible(go_live_planned)"]
    assert (start.severity, start.failed_rows, start.examples) == (
        WARN,
        1,
        [{"source_file": "projects.file", "source_row": 2, "baseline_start": "1900-01-01"}],
    )
    assert go_live.examples[0]["source_row"] == 3 and "20 years" in go_live.description
    relaxed = {
        f.rule for f in validate_table(conn, load_suites()["projects"], SEP, VARIABLES, plausible_date_years=1200)
    }
    assert not any(rule.startswith("dates_plausible") for rule in relaxed)


def test_dollar_signs_in_labels_are_text_not_mathtext():
    labels = ["Sign-off: $1M #1, $2M #2", "Save $100 per seat & $20 per user"]
    rows = [
        (labels[0], dt.date(2026, 1, 1), dt.date(2026, 2, 1), None),
        (labels[1], dt.date(2026, 3, 1), None, dt.date(2026, 3, 5)),
    ]
    svg = slip_chart_svg("Milestones", rows)
    assert "Sign-off: $1M #1, $2M #2" in svg and "Save $100 per seat &amp; $20 per user" in svg
    assert slip_chart_svg("Milestones", rows, as_png=True).startswith("<img")
    assert "Budget $5" in line_chart_svg("Budget $5", "$ spent", {"AC": [(dt.date(2026, 1, 1), 1.0)]})


def test_a_month_folder_is_swapped_in_whole(tmp_path):
    output = tmp_path / "output"
    final = output / "packs" / "2026-09"
    (final / "projects").mkdir(parents=True)
    (final / "steering-pack-2026-09.html").write_text("old")
    (final / "projects" / "GONE.html").write_text("a project no longer in the register")
    staged = files.staging_root(output) / "packs" / "2026-09"
    staged.mkdir(parents=True)
    (staged / "steering-pack-2026-09.html").write_text("new")
    files.publish_folder(staged, final, output)
    assert sorted(p.relative_to(final).as_posix() for p in final.rglob("*")) == ["steering-pack-2026-09.html"]
    assert (final / "steering-pack-2026-09.html").read_text() == "new" and not staged.exists()
    assert [p.name for p in (output / "packs").iterdir()] == ["2026-09"]  # nothing set aside is left behind


def test_a_render_that_fails_leaves_the_previous_month_whole_and_no_staging(tmp_path, monkeypatch):
    from pipelines.core import packs

    output = tmp_path / "output"
    final = output / "packs" / "2026-09"
    final.mkdir(parents=True)
    (final / "steering-pack-2026-09.html").write_text("the published pack")

    def fails(*args, **kwargs):
        raise RuntimeError("WeasyPrint died")

    monkeypatch.setattr(packs, "render_record", lambda conn, month: "{}")
    monkeypatch.setattr(packs, "load_pack_data", lambda conn, month: packs.PackData(month, None))
    monkeypatch.setattr(
        packs,
        "write_pack",
        lambda data, staged, with_pdf=True, options=None: files.write_atomic(
            packs.pack_paths(staged, SEP)["html"], "half a new pack", staged
        ),
    )
    monkeypatch.setattr(packs, "write_workbook", fails)
    with pytest.raises(RuntimeError, match="WeasyPrint died"):
        packs.publish_month(None, SEP, output)
    assert [p.name for p in final.iterdir()] == ["steering-pack-2026-09.html"]
    assert (final / "steering-pack-2026-09.html").read_text() == "the published pack"
    assert not (output / files.STAGING_FOLDER).exists() or not list((output / files.STAGING_FOLDER).iterdir())
    shutil.rmtree(output)


def test_a_month_that_publishes_drops_its_out_of_date_draft_and_keeps_the_others(tmp_path, monkeypatch):
    from pipelines.core import packs

    output = tmp_path / "output"
    for month in ("2026-08", "2026-09"):
        (output / "drafts" / month).mkdir(parents=True)
        (output / "drafts" / month / f"steering-pack-{month}-draft.html").write_text("DRAFT — not published")
    monkeypatch.setattr(packs, "render_record", lambda conn, month: "{}")
    monkeypatch.setattr(packs, "load_pack_data", lambda conn, month: packs.PackData(month, None))
    monkeypatch.setattr(
        packs,
        "write_pack",
        lambda data, staged, with_pdf=True, options=None: files.write_atomic(
            packs.pack_paths(staged, SEP)["html"], "the pack", staged
        ),
    )
    monkeypatch.setattr(packs, "write_workbook", lambda conn, month, path, root: None)
    monkeypatch.setattr(packs, "load_project_pages", lambda conn, month: [])
    monkeypatch.setattr(packs, "month_scopes", lambda conn, month: [])
    assert packs.publish_month(None, SEP, output) == output / "packs" / "2026-09" / "steering-pack-2026-09.html"
    assert [p.name for p in (output / "drafts").iterdir()] == ["2026-08"]


def test_an_unreadable_spend_file_is_not_served_by_an_earlier_fx_rates_file(conn):
    """Only a file that held spend can serve spend: an August fx_rates.csv in the same folder serves nothing."""
    conn.execute(
        "insert into raw.load_log (snapshot_month, source, source_file, table_name, file_format, rows_read, "
        "rows_loaded, rows_quarantined, error) values "
        "(date '2026-08-01', 'finance', '2026-08/finance/fx_rates.csv', 'fx_rates', 'fx_rates', 3, 3, 0, null), "
        "(date '2026-09-01', 'finance', '2026-09/finance/sap.csv', null, 'unrecognised', 0, 0, 0, "
        "'2026-09/finance/sap.csv: header matches no finance layout')"
    )
    found = [
        (f.rule.split("(")[0], f.severity)
        for f in validate_table(conn, load_suites()["spend"], SEP, VARIABLES)
        if "file" in f.rule
    ]
    assert found == [("every_file_readable", ERROR)]


@pytest.mark.parametrize(
    "error, expected",
    [
        (
            "2026-09/finance/sap.xlsx: not a readable Excel workbook (BadZipFile: File is not a zip file)",
            ("unreadable_file_served_from_earlier_snapshot", WARN),
        ),
        (
            "2026-09/finance/sap.xlsx: part xl/worksheets/sheet1.xml would inflate to 5,400 MiB, "
            "over the cap of 256 MiB (limits.member_bytes); this is not a workbook steerpack reads",
            ("every_file_readable", ERROR),
        ),
        (
            "2026-09/finance/sap.xlsx: sheet 'Lines' has more than 1,000,000 rows per sheet (limits.sheet_rows)",
            ("every_file_readable", ERROR),
        ),
    ],
)
def test_a_file_over_a_size_cap_blocks_the_month_even_with_an_earlier_snapshot(conn, error, expected):
    """DESIGN §4a: an input over a size cap blocks; a merely unreadable file is served from the month before."""
    conn.execute(
        "insert into raw.load_log (snapshot_month, source, source_file, table_name, file_format, rows_read, "
        "rows_loaded, rows_quarantined, error) values "
        "(date '2026-08-01', 'finance', '2026-08/finance/sap.xlsx', 'spend', 'sap', 3, 3, 0, null), "
        "(date '2026-09-01', 'finance', '2026-09/finance/sap.xlsx', 'spend', 'unrecognised', 0, 0, 0, ?)",
        [error],
    )
    found = [
        (f.rule.split("(")[0], f.severity)
        for f in validate_table(conn, load_suites()["spend"], SEP, VARIABLES)
        if "file" in f.rule
    ]
    assert found == [expected]


def test_a_finance_workbook_cut_short_by_empty_rows_says_so_in_its_load_log(tmp_path):
    from pipelines.sources.finance import GENERIC, SPEND_COLUMNS

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(SPEND_COLUMNS))
    sheet.append(["D1", 1, "2026-09-10", "WBS-A", 100, "USD", "Acme", "licences", "Software"])
    for row in range(3, 9):
        sheet.cell(row=row, column=1).font = Font(bold=True)  # six styled, empty rows
    sheet.append(["D9", 1, "2026-09-12", "WBS-A", 50, "USD", "Acme", "hours", "Services"])
    path = tmp_path / "sap.xlsx"
    workbook.save(path)
    batch = parse_finance_file(path, "sap.xlsx", (GENERIC,), WorkbookLimits(empty_rows_run=5))
    assert batch.tables["spend"]["document_id"].tolist() == ["D1"]
    assert batch.load_log_frame(SEP)["notes"].tolist() == [
        "sheet 'Sheet': reading stopped after row 2, followed by 5 empty rows (limits.empty_rows_run); anything "
        "below them was not read"
    ]
    batch = parse_finance_file(path, "sap.xlsx", (GENERIC,))
    assert batch.tables["spend"]["document_id"].tolist() == ["D1", "D9"] and not batch.notes
