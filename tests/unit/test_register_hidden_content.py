"""Issue 26: what Excel shows is what steerpack reads. Hidden or duplicate sheets, hidden rows and columns, and
formula cells whose saved value may be stale never decide numbers or recipients silently (DESIGN §4a)."""

import re
import zipfile

import openpyxl
import pytest

from pipelines.sources.common import SourceFormatError
from pipelines.sources.register import parse_register
from tests.helpers import tiny_register_sheets, write_sheets

NAME = "2026-09/register/portfolio.xlsx"


def register(tmp_path, tweak=None, sheets=None):
    """The tiny register, re-opened in openpyxl and changed by `tweak(workbook)` as a person would in Excel."""
    path = write_sheets(tmp_path / "portfolio.xlsx", sheets or tiny_register_sheets())
    if tweak is not None:
        workbook = openpyxl.load_workbook(path)
        tweak(workbook)
        workbook.save(path)
    return path


def with_extra_sheet(name, rows, state="visible"):
    def tweak(workbook):
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
        sheet.sheet_state = state

    return tweak


def rewrite_parts(path, change):
    """Rewrite the workbook's XML parts with `change(name, text) -> text` (what another tool might have saved)."""
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, change(name, data.decode()) if name.endswith(".xml") else data)


def evil_projects_rows():
    sheets = tiny_register_sheets()
    evil = list(sheets["Projects"][1])
    evil[0], evil[7] = "EVIL", 9_999_999
    return [sheets["Projects"][0], sheets["Projects"][1], evil]


# --- sheets ------------------------------------------------------------------------------------------------


def test_a_hidden_namesake_sheet_is_not_read_and_is_named(tmp_path):
    path = register(tmp_path, with_extra_sheet("projects ", evil_projects_rows(), state="hidden"))
    batch = parse_register(path, NAME)
    assert batch.tables["projects"]["project_id"].tolist() == ["ALPHA", "BETA"]  # the visible sheet
    assert "sheet 'projects ' is hidden and was not read: the visible sheet 'Projects' of the same name was" in (
        batch.notes
    )


def test_a_hidden_namesake_placed_first_still_loses_to_the_visible_sheet(tmp_path):
    def tweak(workbook):
        with_extra_sheet(" Projects", evil_projects_rows(), state="veryHidden")(workbook)
        workbook.move_sheet(" Projects", offset=-len(workbook.sheetnames) + 1)

    batch = parse_register(register(tmp_path, tweak), NAME)
    assert "EVIL" not in batch.tables["projects"]["project_id"].tolist()
    assert any("sheet ' Projects' is very hidden and was not read" in note for note in batch.notes)


def test_two_visible_sheets_matching_after_folding_block_naming_both(tmp_path):
    path = register(tmp_path, with_extra_sheet("projects ", evil_projects_rows()))
    with pytest.raises(SourceFormatError) as error:
        parse_register(path, NAME)
    assert "sheets 'Projects' and 'projects ' both read as 'Projects'" in str(error.value)
    assert NAME in str(error.value)


@pytest.mark.parametrize(
    "state, words",
    [
        ("hidden", "sheet 'RAID' is hidden: unhide it in Excel"),
        ("veryHidden", "sheet 'RAID' is very hidden: Excel's Unhide menu does not list it"),
    ],
)
def test_a_required_sheet_that_exists_only_hidden_is_a_clear_error(tmp_path, state, words):
    def tweak(workbook):
        workbook["RAID"].sheet_state = state

    with pytest.raises(SourceFormatError) as error:
        parse_register(register(tmp_path, tweak), NAME)
    assert words in str(error.value)
    assert "missing" not in str(error.value)


def test_an_unrelated_hidden_sheet_is_named(tmp_path):
    batch = parse_register(register(tmp_path, with_extra_sheet("Old numbers", [["x"], [1]], "hidden")), NAME)
    assert "hidden sheet 'Old numbers' not read" in batch.notes
    assert batch.rejects == []


# --- rows --------------------------------------------------------------------------------------------------


def test_a_hidden_distribution_row_never_adds_a_recipient(tmp_path):
    sheets = tiny_register_sheets()
    sheets["Distribution"].append(["mallory@evil.example", "Mallory", "Sponsor", "portfolio"])

    def tweak(workbook):
        workbook["Distribution"].row_dimensions[4].hidden = True

    batch = parse_register(register(tmp_path, tweak, sheets), NAME)
    assert batch.tables["distribution"]["email"].tolist() == ["Head.PMO@example.com", "bob@example.com"]
    [reject] = batch.rejects
    assert (reject.table, reject.source_row) == ("distribution", 4)
    assert reject.reason.startswith("sheet 'Distribution' row 4: hidden row")
    assert reject.raw_record["email"] == "mallory@evil.example"
    assert batch.rows_read["distribution"] == 3  # read = loaded + quarantined still holds


def test_a_hidden_projects_row_is_quarantined_with_its_project(tmp_path):
    def tweak(workbook):
        workbook["Projects"].row_dimensions[3].hidden = True

    batch = parse_register(register(tmp_path, tweak), NAME)
    assert batch.tables["projects"]["project_id"].tolist() == ["ALPHA"]
    [reject] = batch.rejects
    assert (reject.table, reject.source_row, reject.record_key) == ("projects", 3, "BETA")
    assert "hidden row" in reject.reason


def test_hidden_rows_of_other_sheets_are_read_and_named(tmp_path):
    sheets = tiny_register_sheets()
    for number in range(2, 6):
        sheets["RAID"].append([f"R{number}", "ALPHA", "Issue"] + [None] * 7)

    def tweak(workbook):
        for row in (3, 5, 6):
            workbook["RAID"].row_dimensions[row].hidden = True

    batch = parse_register(register(tmp_path, tweak, sheets), NAME)
    assert batch.tables["raid"]["raid_id"].tolist() == ["R1", "R2", "R3", "R4", "R5"]
    assert "sheet 'RAID': rows 3, 5-6 are hidden in Excel and were read: unhide them to see what steerpack reads" in (
        batch.notes
    )


def test_rows_hidden_by_the_sheets_default_height_are_hidden(tmp_path):
    """`<sheetFormatPr zeroHeight="1">` hides every row without a height of its own, with no `hidden` attribute."""
    path = register(tmp_path)

    def change(name, text):
        if name != "xl/worksheets/sheet6.xml":  # Distribution, the sixth sheet
            return text
        text = re.sub(
            r"<sheetFormatPr [^>]*/>", '<sheetFormatPr baseColWidth="8" defaultRowHeight="15" zeroHeight="1"/>', text
        )
        return text.replace('<row r="1"', '<row r="1" ht="15" customHeight="1"').replace(
            '<row r="2"', '<row r="2" ht="15" customHeight="1"'
        )

    rewrite_parts(path, change)
    batch = parse_register(path, NAME)
    assert batch.tables["distribution"]["email"].tolist() == ["Head.PMO@example.com"]
    assert [(r.table, r.source_row) for r in batch.rejects] == [("distribution", 3)]


# --- columns -----------------------------------------------------------------------------------------------


def test_a_hidden_column_is_read_and_named(tmp_path):
    def tweak(workbook):
        workbook["Projects"].column_dimensions["H"].hidden = True  # bac

    batch = parse_register(register(tmp_path, tweak), NAME)
    assert batch.tables["projects"]["bac"].tolist() == [120000.0, 80000.5]
    assert (
        "sheet 'Projects': column H ('bac') is hidden in Excel and was read: unhide it to see what steerpack reads"
        in (batch.notes)
    )


def test_a_hidden_twin_column_never_wins_over_the_visible_one(tmp_path):
    sheets = tiny_register_sheets()
    sheets["Distribution"][0].append("Scope")
    sheets["Distribution"][2].append("portfolio")  # bob, hidden: everything instead of BETA

    def tweak(workbook):
        workbook["Distribution"].column_dimensions["E"].hidden = True

    batch = parse_register(register(tmp_path, tweak, sheets), NAME)
    assert batch.tables["distribution"]["scope"].tolist() == ["portfolio", "BETA"]
    assert any("hidden column not read: E ('scope', the visible column D was read)" in n for n in batch.notes)


def test_two_visible_columns_with_one_header_block_naming_both(tmp_path):
    sheets = tiny_register_sheets()
    sheets["Distribution"][0].append(" SCOPE")
    with pytest.raises(SourceFormatError) as error:
        parse_register(register(tmp_path, sheets=sheets), NAME)
    assert "sheet 'Distribution': columns D and E are both headed 'scope'" in str(error.value)


# --- formulas ----------------------------------------------------------------------------------------------


def formula_register(tmp_path, cached: str | None, recalculate_on_load: bool):
    """BETA's bac (H3) is a formula; `cached` its saved value; the workbook asks for recalculation on load or not
    (openpyxl, XlsxWriter and other non-Excel writers set fullCalcOnLoad; Excel does not)."""

    def tweak(workbook):
        workbook["Projects"]["H3"] = "=H2*2"

    path = register(tmp_path, tweak)

    def change(name, text):
        if name == "xl/worksheets/sheet1.xml" and cached is not None:
            text, count = re.subn(
                r"(<c r=\"H3\"[^>]*>\s*<f>[^<]*</f>)\s*(<v\s*/>|<v>[^<]*</v>)?", rf"\1<v>{cached}</v>", text
            )
            assert count == 1
        if name == "xl/workbook.xml" and not recalculate_on_load:
            text, count = re.subn(r'\s*fullCalcOnLoad="1"', "", text)
            assert count == 1
        return text

    rewrite_parts(path, change)
    return path


@pytest.mark.parametrize(
    "cached, recalculate", [(None, False), (None, True), ("0", True)], ids=["no-value", "no-value-recalc", "stale"]
)
def test_a_formula_whose_saved_value_may_be_stale_quarantines_its_row(tmp_path, cached, recalculate):
    batch = parse_register(formula_register(tmp_path, cached, recalculate), NAME)
    assert batch.tables["projects"]["project_id"].tolist() == ["ALPHA"]
    [reject] = batch.rejects
    assert (reject.table, reject.source_row, reject.record_key) == ("projects", 3, "BETA")
    assert "bac: cell H3 holds a formula whose saved value may be stale or is missing" in reject.reason
    # the same formula as Excel calculated and saved it is read: what Excel shows
    (tmp_path / "excel").mkdir()
    batch = parse_register(formula_register(tmp_path / "excel", "240000", recalculate_on_load=False), NAME)
    assert batch.tables["projects"]["bac"].tolist() == [120000.0, 240000.0]
    assert batch.rejects == []


# --- Smartsheet plans: the same xlsx helpers, the first VISIBLE sheet ------------------------------------------


def test_a_smartsheet_plan_is_read_from_its_first_visible_sheet_with_collapsed_rows(tmp_path):
    from pipelines.sources.smartsheet import parse_smartsheet
    from tests.helpers import smartsheet_workbook

    path = smartsheet_workbook(tmp_path / "erp_plan.xlsx")
    workbook = openpyxl.load_workbook(path)
    decoy = workbook.create_sheet("Old plan", 0)
    decoy.append(["Task Name", "Start", "Finish"])
    decoy.append(["Decoy task", None, None])
    decoy.sheet_state = "hidden"
    workbook.worksheets[1].row_dimensions[3].hidden = True  # "Design", collapsed under "Phase 1"
    workbook.save(path)
    batch = parse_smartsheet(path, "2026-09/smartsheet/erp_plan.xlsx")
    names = batch.tables["schedule_tasks"]["task_name"].tolist()
    assert names == ["Phase 1", "Design", "Build", "Phase 1 sign-off", "Handover"]  # collapsed children are tasks
    assert "hidden sheet 'Old plan' not read" in batch.notes
