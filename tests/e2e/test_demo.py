"""The demo portfolio: the story it must tell, and `steerpack demo` end to end (a ranged run over 18 months)."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.synthetic.demo import PROJECTS, demo_months, register_rows
from tests.helpers import launch_chromium, run_logged, write_config

D = dt.date
# One `steerpack demo` serves every test here: xdist runs a module's tests on one worker (`--dist loadfile`).


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory):
    """`steerpack demo` once for these tests: 18 months in one ranged run, then the latest month sent. The tests
    only read what it wrote."""
    from pipelines.dbt.project import ensure_manifest

    ensure_manifest()
    tmp_path = tmp_path_factory.mktemp("demo")
    (tmp_path / ".dagster").mkdir()
    config = write_config(tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "STEERPACK_CONFIG"}
    env["DAGSTER_HOME"] = str(tmp_path / ".dagster")
    done = run_logged(
        [str(Path(sys.executable).with_name("steerpack")), "demo", "--config", str(config)],
        tmp_path / "logs",
        timeout=600,
        cwd=tmp_path,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    return tmp_path


@pytest.mark.slow
def test_steerpack_demo_backfills_every_month_in_one_run(demo_run):
    tmp_path = demo_run
    packs = sorted((tmp_path / "output" / "packs").glob("*/steering-pack-*.html"))
    assert [p.parent.name for p in packs] == [f"{m:%Y-%m}" for m in demo_months()]
    # history is re-rendered silently; only the latest month goes out, to all six recipients
    assert sorted(p.name for p in (tmp_path / "output" / "outbox").iterdir()) == ["2026-10"]
    assert len(list((tmp_path / "output" / "outbox" / "2026-10").glob("*.eml"))) == 6
    with duckdb.connect(str(tmp_path / "warehouse" / "steerpack.duckdb"), read_only=True) as conn:
        per_month = dict(conn.execute("select month, count(*) from marts.fct_project_month group by 1").fetchall())
    assert per_month[D(2025, 12, 1)] == 12 and per_month[D(2026, 1, 1)] == 13
    assert "Payments Gateway Modernisation" in packs[-1].read_text(encoding="utf-8")
    assert "Payments Gateway Modernisation" not in packs[0].read_text(encoding="utf-8")


@pytest.mark.slow
def test_the_demo_packs_tell_the_story(demo_run):
    """DESIGN's demo acceptance: a Red project, a watermelon, post-go-live incidents, a go-live not benefits-ready."""
    tmp_path = demo_run
    with duckdb.connect(str(tmp_path / "warehouse" / "steerpack.duckdb"), read_only=True) as conn:
        october = {
            row[0]: row[1:]
            for row in conn.execute(
                "select project_id, rag_overall, watermelon, rag_cost, benefits_ready, rag_benefits "
                "from marts.fct_project_month where month = '2026-10-01'"
            ).fetchall()
        }
        mobile_june = conn.execute(
            "select incidents_total, p1_count from marts.fct_post_golive_incidents "
            "where project_id = 'MOB' and month = '2026-06-01'"
        ).fetchone()
        contract_gaps = conn.execute(
            "select count(*) from information_schema.tables where table_schema = 'marts' and table_name in "
            "('fct_project_month', 'fct_milestone_month', 'fct_benefit_readiness', 'fct_post_golive_incidents', "
            "'fct_portfolio_month', 'fct_data_freshness', 'dim_project')"
        ).fetchone()
    assert october["CRM"][0] == "Red" and october["CRM"][2] == "Red"  # overspending: EAC 14 % over BAC
    assert october["EDP"][:2] == ("Red", True)  # reported Green, measured Red
    assert october["WMS"][3:] == (False, "Red")  # go-live 16 Nov, a benefit without owner or tracking start
    assert mobile_june[0] > 0 and mobile_june[1] > 0  # the mobile app's go-live brought P1 incidents
    assert contract_gaps == (7,)
    pack = (tmp_path / "output" / "packs" / "2026-10" / "steering-pack-2026-10.html").read_text(encoding="utf-8")
    assert "Watermelons</strong> (reported Green, measured Red):\nEnterprise Data Platform" in pack
    # CPI/SPI trend, S-curve (18 months of history) and the finish slip chart; the scorecard's sparklines apart
    assert pack.count("<svg") - pack.count('<svg class="sparkline"') == 3


# What the demo plants on purpose as a data gap or an Unknown grade, per (month, project): nothing. Its input quirks
# (DMS's missing September export, an unmapped finance code, a neighbouring Azure DevOps area, Jira Server's `Key`
# header, ...) are all readable, so every project of every month is graded on complete inputs. A gap or an Unknown
# anywhere else is rows lost on the way (once, three Jira exports numbered from the same Issue id replaced each
# other's items, and HRP, MOB and PAY graded cost Unknown with "no plan rows").
PLANTED_GAPS: dict[tuple[D, str], str] = {}


@pytest.mark.slow
def test_no_project_has_a_gap_or_an_unknown_grade_the_demo_did_not_plant(demo_run):
    with duckdb.connect(str(demo_run / "warehouse" / "steerpack.duckdb"), read_only=True) as conn:
        rows = conn.execute(
            "select month, project_id, data_gaps, rag_schedule, rag_cost, rag_benefits, rag_incidents, rag_overall, "
            "percent_complete from marts.fct_project_month order by 1, 2"
        ).fetchall()
        quarantined = conn.execute("select count(*) from raw.quarantine").fetchone()
    gaps = {(month, project): gap for month, project, gap, *_ in rows if gap is not None}
    unknown = sorted((month, project) for month, project, _, *grades, _ in rows if "Unknown" in grades)
    assert gaps == PLANTED_GAPS
    assert unknown == sorted(PLANTED_GAPS)
    assert quarantined == (0,)
    latest = {project: complete for month, project, *_, complete in rows if month == D(2026, 10, 1)}
    assert len(latest) == 13
    # the three Jira projects the old keying lost are measured: every demo project has progress in October
    assert {project for project, complete in latest.items() if complete is None} == set()


def test_this_months_indices_are_real_months_work(demo_run):
    """A month with no spend (a finished project) has no CPI this month, nor one without planned work an SPI:
    HR Portal's October showed 5.9e14 when the same lines' AC differed by 2e-10 between the months. A month whose
    progress went down (MOB, EDP in January) or that spent without progress (DMS in September) keeps its value."""
    with duckdb.connect(str(demo_run / "warehouse" / "steerpack.duckdb"), read_only=True) as conn:
        residues, months_with_cpi = conn.execute(
            "with moved as (select cpi_month, spi_month, ac_local - lag(ac_local) over by_project as ac_change, "
            "planned_fraction - lag(planned_fraction) over by_project as planned_change "
            "from marts.fct_project_month window by_project as (partition by project_id order by month)) "
            "select count(*) filter (where (cpi_month is not null and abs(ac_change) < 0.005) "
            "or (spi_month is not null and abs(planned_change) < 1e-6) or abs(cpi_month) > 20), "
            "count(cpi_month) from moved"
        ).fetchone()
    assert residues == 0 and months_with_cpi > 100


@pytest.mark.slow
def test_the_pack_renders_in_headless_chromium(demo_run, tmp_path):
    """Debian's Chromium opens the HTML pack from disk: no console errors, every project, every chart drawn."""
    from playwright.sync_api import sync_playwright

    pack = demo_run / "output" / "packs" / "2026-10" / "steering-pack-2026-10.html"
    errors = []
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(pack.as_uri())
        rows = page.locator("tr[data-project]").evaluate_all("rows => rows.map(r => r.dataset.project)")
        chart_widths = page.locator("figure.chart svg").evaluate_all(
            "charts => charts.map(c => c.getBoundingClientRect().width)"
        )
        go_no_go = page.locator("section.go-no-go").evaluate_all(
            "sections => sections.map(s => [s.dataset.project, s.dataset.release, s.querySelector('h1').innerText,"
            " s.querySelectorAll('tr[data-area]').length])"
        )
        page.screenshot(path=str(tmp_path / "steering-pack-2026-10.png"), full_page=True)
        browser.close()
    assert errors == []
    assert sorted(rows) == sorted(p.project_id for p in PROJECTS)
    assert len(chart_widths) == 3 and all(width > 300 for width in chart_widths)  # trend, S-curve, finish slip
    assert (tmp_path / "steering-pack-2026-10.png").stat().st_size > 10_000
    # a Go/No-Go page per release in its window (fct_release_month decides which), each area listed on it
    with duckdb.connect(str(demo_run / "warehouse" / "steerpack.duckdb"), read_only=True) as conn:
        in_window = conn.execute(
            "select project_id, release_name from marts.fct_release_month "
            "where month = date '2026-10-01' and is_in_go_no_go_window order by go_live_date, project_id, release_name"
        ).fetchall()
    assert in_window  # the demo plants releases going live in November
    assert [(project_id, release) for project_id, release, _, _ in go_no_go] == [tuple(row) for row in in_window]
    assert all(title.startswith("Go/No-Go readiness — ") and areas >= 6 for _, _, title, areas in go_no_go)
    folder = demo_run / "output" / "packs" / "2026-10" / "go-no-go"
    assert sorted(path.name for path in folder.glob("*.pdf")) == sorted(f"{p}-{r}.pdf" for p, r in in_window)
    assert all(path.read_bytes().startswith(b"%PDF") for path in folder.glob("*.pdf"))


SCORECARD_SHAPES = {"Met": ("●", "rag-Green"), "Near": ("▲", "rag-Amber"), "Missed": ("■", "rag-Red")}


@pytest.mark.slow
def test_the_scorecard_page_shows_every_kpi_with_its_status_in_words_and_shapes(demo_run):
    """DESIGN §5a, §7: after the executive page, one row per KPI (23), each status a word and a shape as the mart
    gave it; a Not tracked KPI is grey with its reason, never Green; each project's page has its 23 KPIs."""
    import re

    from playwright.sync_api import sync_playwright

    october = demo_run / "output" / "packs" / "2026-10"
    with duckdb.connect(str(demo_run / "warehouse" / "steerpack.duckdb"), read_only=True) as conn:
        marts = dict(
            conn.execute(
                "select kpi, status from marts.fct_kpi_scorecard_month "
                "where month = '2026-10-01' and project_id is null"
            ).fetchall()
        )
    assert len(marts) == 23
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto((october / "steering-pack-2026-10.html").as_uri())
        section = page.locator("section#scorecard")
        assert section.count() == 1 and section.is_visible()
        rows = page.locator("#scorecard-table tbody tr[data-kpi]").evaluate_all(
            """rows => rows.map(r => ({
                kpi: r.dataset.kpi,
                status: r.dataset.status,
                statusText: r.querySelector('td.kpi-status').innerText,
                statusClass: r.querySelector('td.kpi-status').className,
                value: r.querySelector('td.kpi-value').innerText,
                target: r.querySelector('td.kpi-target').innerText,
                projectsMet: r.querySelector('td.kpi-projects-met').innerText,
                reason: r.querySelector('.not-tracked-reason')?.innerText ?? null,
                visible: r.getBoundingClientRect().height > 0,
            }))"""
        )
        order = page.evaluate(
            "() => [document.querySelector('#projects'), document.querySelector('#scorecard'),"
            " document.querySelector('#cost')].map(e => e.getBoundingClientRect().top + window.scrollY)"
        )
        browser.close()
    assert len(rows) == 23 and len({row["kpi"] for row in rows}) == 23
    assert order == sorted(order)  # after the executive page's projects table, before the cost section
    for row in rows:
        assert row["visible"], row
        assert row["status"] == marts[row["kpi"]], row  # the mart's status, as it is
        assert row["target"] not in ("", "—"), row
        if row["status"] == "Not tracked":
            assert row["statusText"].startswith("Not tracked ◌"), row
            assert "rag-Unknown" in row["statusClass"] and "rag-Green" not in row["statusClass"], row
            assert row["value"] == "—" and row["reason"], row
        else:
            shape, grade = SCORECARD_SHAPES[row["status"]]
            assert row["statusText"] == f"{row['status']} {shape}", row
            assert grade in row["statusClass"].split(), row
            assert row["value"] != "—" and row["reason"] is None, row
            assert re.fullmatch(r"\d+ of \d+ projects met|—", row["projectsMet"]), row
    for project in PROJECTS:
        project_page = (october / "projects" / f"{project.project_id}.html").read_text(encoding="utf-8")
        kpis = project_page.split('<table id="kpis">', 1)[1].split("</table>", 1)[0]
        untracked = (
            project_page.split('<p id="kpis-not-tracked">', 1)[1].split("</p>", 1)[0]
            if ('<p id="kpis-not-tracked">' in project_page)
            else ""
        )
        # every KPI once: a row with its status, or named under Not tracked with its reason, never Green
        assert kpis.count("<tr data-kpi=") + untracked.count('data-status="Not tracked"') == 23, project.project_id
        assert 'data-status="Not tracked"' not in kpis and "rag-Green" not in untracked, project.project_id
        assert untracked.count('class="not-tracked-reason">(') == untracked.count("data-kpi="), project.project_id


@pytest.mark.slow
def test_the_pdf_pack_is_a4_landscape_with_every_project(demo_run, tmp_path):
    pdf = demo_run / "output" / "packs" / "2026-10" / "steering-pack-2026-10.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "841.89 x 595.276 pts (A4)" in info  # landscape
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for project in PROJECTS:
        assert project.project_id in text
    assert "Page 1 of" in text
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True)
    assert len(list(tmp_path.glob("page-*.png"))) >= 2


@pytest.mark.slow
def test_every_project_has_a_page_reachable_from_the_pack(demo_run):
    october = demo_run / "output" / "packs" / "2026-10"
    pack = (october / "steering-pack-2026-10.html").read_text(encoding="utf-8")
    for project in PROJECTS:
        assert f'href="projects/{project.project_id}.html"' in pack
        page = (october / "projects" / f"{project.project_id}.html").read_text(encoding="utf-8")
        assert f"<h1>{project.name} ({project.project_id})</h1>" in page
        assert (october / "projects" / f"{project.project_id}.pdf").read_bytes().startswith(b"%PDF")
    crm = (october / "projects" / "CRM.html").read_text(encoding="utf-8")
    # with the milestone chart; drawn once as PNG for both the page and its PDF
    assert 'href="../steering-pack-2026-10.html"' in crm and crm.count('<img alt="') == 3
    # a page without PDF keeps its charts as SVG: in September CRM still had work left, so its forecast chart too
    # (October's CRM is complete: no forecast to draw)
    assert (demo_run / "output" / "packs" / "2026-09" / "projects" / "CRM.html").read_text(encoding="utf-8").count(
        "<svg"
    ) == 4
    # an earlier month of the backfill has its HTML pages; PDFs are printed for the run's last month only
    assert (demo_run / "output" / "packs" / "2026-09" / "projects" / "CRM.html").exists()
    assert not (demo_run / "output" / "packs" / "2026-09" / "projects" / "CRM.pdf").exists()


@pytest.mark.slow
def test_a_past_months_portfolio_pdf_is_printed_when_its_pack_is_sent(demo_run):
    """A backfill prints the PDFs of its last month only (the demo's 17 earlier portfolio PDFs cost a minute);
    sending an earlier month prints its portfolio PDF then, from the marts its HTML was rendered from."""
    from pipelines.core.packs import attachments, pack_paths

    output = demo_run / "output"
    paths = pack_paths(output, D(2026, 9, 1))
    assert paths["html"].exists() and paths["xlsx"].exists() and not paths["pdf"].exists()
    with duckdb.connect(str(demo_run / "warehouse" / "steerpack.duckdb"), read_only=True) as conn:
        attached = attachments(conn, D(2026, 9, 1), None, output, {})
    assert attached == [paths["pdf"], paths["xlsx"], paths["pptx"], paths["html"]]  # the deck made on send too
    assert paths["pdf"].read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(paths["pdf"]), "-"], capture_output=True, text=True, check=True).stdout
    assert "Portfolio steering pack — September 2026" in text


@pytest.mark.slow
def test_decisions_needed_and_what_changed(demo_run):
    pack = (demo_run / "output" / "packs" / "2026-10" / "steering-pack-2026-10.html").read_text(encoding="utf-8")
    assert '<ul id="decisions">' in pack and "Overdue High" in pack
    # the Data Platform's decisions wait six weeks from March on (story.OVERDUE_DECISIONS): one is overdue in October
    assert "Overdue decision — Enterprise Data Platform: " in pack and "days overdue)" in pack
    assert '<ul id="changes">' in pack and "Warehouse Management System:" in pack


def _message_texts(message, folder: Path) -> dict[str, str]:
    """Every part of a delivered message as text: both bodies, the HTML pack, the PDF's text, every workbook cell,
    every slide's text."""
    from openpyxl import load_workbook
    from pptx import Presentation

    texts = {
        "plain body": message.get_body(("plain",)).get_content(),
        "html body": message.get_body(("html",)).get_content(),
    }
    for part in message.iter_attachments():
        name = part.get_filename()
        path = folder / name
        path.write_bytes(
            part.get_content() if isinstance(part.get_content(), bytes) else part.get_content().encode("utf-8")
        )
        if name.endswith(".pdf"):
            texts[name] = subprocess.run(
                ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
            ).stdout
        elif name.endswith(".xlsx"):
            workbook = load_workbook(path)
            texts[name] = "\n".join(
                f"{sheet.title}: " + " ".join("" if v is None else str(v) for v in row)
                for sheet in workbook.worksheets
                for row in sheet.iter_rows(values_only=True)
            )
        elif name.endswith(".pptx"):
            texts[name] = "\n".join(_slide_texts(Presentation(str(path))))
        else:
            texts[name] = path.read_text(encoding="utf-8")
    return texts


def _slide_texts(deck) -> list[str]:
    """The text of every shape of every slide: text frames, table cells, and the charts' categories and series."""
    texts = []
    for slide in deck.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if shape.has_table:
                texts += [cell.text for row in shape.table.rows for cell in row.cells]
            if shape.has_chart:
                plot = shape.chart.plots[0]
                texts += [str(category) for category in plot.categories]
                texts += [series.name for series in plot.series]
    return texts


@pytest.mark.slow
def test_no_reader_receives_another_projects_data(demo_run, tmp_path):
    """Every delivered message, every part of it: a scoped reader sees their projects and no other's id or name."""
    import email
    import re
    from email import policy

    names = {p.project_id: p.name for p in PROJECTS}
    scopes = {row[0]: row[3] for row in register_rows(D(2026, 10, 1))["Distribution"] if "@" in str(row[0])}
    messages = sorted((demo_run / "output" / "outbox" / "2026-10").glob("*.eml"))
    assert len(messages) == len(scopes) == 6
    for path in messages:
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        scope = scopes[message["To"].addresses[0].addr_spec]  # To: carries the reader's name too
        folder = tmp_path / path.stem
        folder.mkdir()
        texts = _message_texts(message, folder)
        assert len(texts) == 6  # two bodies and four attachments (PDF, workbook, deck, HTML)
        allowed = set(names) if scope == "portfolio" else set(scope.split(";"))
        for part, text in texts.items():
            for project_id in allowed:
                assert names[project_id] in text or project_id in text, (path.name, part, project_id)
            for project_id in set(names) - allowed:
                assert not re.search(rf"\b{project_id}\b", text), (path.name, part, project_id)
                assert names[project_id] not in text, (path.name, part, project_id)


@pytest.mark.slow
def test_every_demo_forecast_is_ordered_or_says_why_not_and_a_rerun_repeats_it(demo_run, tmp_path):
    """Issue 30's acceptance on the demo: each project with enough history has P50 <= P85 <= P95 and chances in
    [0, 1]; the others have no dates and a reason. Recomputed on a copy of the warehouse, October's forecasts
    are identical (the seeds come from the project and the month)."""
    import shutil

    from pipelines.config import load_settings
    from pipelines.core.warehouse.forecasts import write_forecasts_to

    warehouse = demo_run / "warehouse" / "steerpack.duckdb"
    columns = (
        "month, project_id, method, history_weeks, history_months, trials, p50_finish, p85_finish, p95_finish, "
        "prob_by_baseline_finish, prob_by_go_live, forecast_status, status_reason"
    )
    query = f"select {columns} from marts.fct_forecast_month order by month, project_id"
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        rows = conn.execute(query).fetchall()
        stored = conn.execute(
            "select * from forecast.monte_carlo_month where month = '2026-10-01' order by project_id"
        ).fetchall()
    assert rows
    by_status: dict[str, int] = {}
    for month, project, method, weeks, months, trials, p50, p85, p95, by_baseline, by_go_live, status, reason in rows:
        by_status[status] = by_status.get(status, 0) + 1
        if status == "ok":
            # a percentile past the 10-year horizon is null, and the reason says so (DMS in September 2026: its
            # earned schedule stalled two days short of the end for three months, so a third of the trials never
            # finish); the dates that are there never run backwards
            dates = [p for p in (p50, p85, p95) if p is not None]
            assert dates == sorted(dates) and trials == 10_000, (month, project)
            assert len(dates) == 3 or (dates == [p50, p85, p95][: len(dates)] and "years away" in reason)
            assert all(p is None or 0 <= p <= 1 for p in (by_baseline, by_go_live)), (month, project)
            assert (weeks or 0) >= 6 if method == "throughput" else (months or 0) >= 3
        else:
            assert (p50, p85, p95, by_baseline) == (None, None, None, None) and reason, (month, project)
    # the demo's story: early months lack history, finished plans are complete, the rest forecast
    assert by_status["ok"] > by_status.get("insufficient history", 0) > 0 and by_status["complete"] > 0
    october = {row[1]: row for row in rows if row[0] == D(2026, 10, 1)}
    assert october["CRM"][11] == "complete" and october["WMS"][11] == "ok"
    # PAY: on plan by earned schedule (SPI(t) 1.0), but its last 12 weeks' throughput (19 points) cannot finish
    # its 91 remaining points by the baseline: the forecast says so months before the schedule does
    assert october["PAY"][9] < 0.05 and october["PAY"][7] > D(2027, 6, 30)

    copy = tmp_path / "steerpack.duckdb"
    shutil.copy2(warehouse, copy)
    write_forecasts_to(copy, [D(2026, 10, 1)], load_settings(demo_run / "steerpack.yaml"))
    with duckdb.connect(str(copy), read_only=True) as conn:
        again = conn.execute(
            "select * from forecast.monte_carlo_month where month = '2026-10-01' order by project_id"
        ).fetchall()
    assert again == stored


@pytest.mark.slow
def test_the_demo_narrative_names_what_moved_and_the_pack_shows_forecasts_and_closures(demo_run):
    """Issue 30 on the demo: CRM's cost turned Red in July 2026 (EAC 11 % over BAC, past tier 1's 10 %), and its
    sentence says cost, the overrun and the CPI trend; a month with no change says so; the pack carries the
    portfolio narrative as its headline, the P85 column, and a closure report for each finished project."""
    with duckdb.connect(str(demo_run / "warehouse" / "steerpack.duckdb"), read_only=True) as conn:
        sentences = conn.execute(
            "select month, project_id, section, sentence from marts.fct_status_narrative_month "
            "order by month, project_id, sentence_no"
        ).fetchall()
        closed = [
            r[0]
            for r in conn.execute(
                "select project_id from marts.fct_project_closure_month where month = '2026-10-01' order by 1"
            ).fetchall()
        ]
    crm_july = [s for m, p, section, s in sentences if (m, p, section) == (D(2026, 7, 1), "CRM", "changed")]
    assert any(
        s.startswith("Cost turned Red from Amber: forecast overrun +11 % of BAC") and "CPI" in s for s in crm_july
    )
    bid_october = [s for m, p, section, s in sentences if (m, p, section) == (D(2026, 10, 1), "BID", "changed")]
    assert bid_october[0] == "No grade changed since September: Overall Green."
    # every project of every month says what changed, even when nothing did
    project_months = {(m, p) for m, p, _, _ in sentences if p is not None}
    assert project_months == {(m, p) for m, p, section, _ in sentences if p is not None and section == "changed"}

    october = demo_run / "output" / "packs" / "2026-10"
    pack = (october / "steering-pack-2026-10.html").read_text(encoding="utf-8")
    assert '<p id="narrative">' in pack and "1 project turned Red (Warehouse Management System" in pack
    assert "P85 finish" in pack and "Chance on time" in pack
    assert closed == ["BID", "CRM", "DMS", "IAM", "MOB", "NET", "WEB"]
    assert sorted(p.name for p in (october / "closure").glob("*.pdf")) == [f"{p}.pdf" for p in closed]
    assert "Closure report — CRM Cloud Migration" in pack


@pytest.mark.slow
def test_the_deck_has_a_slide_per_red_or_amber_project_and_a_scoped_reader_gets_their_own(demo_run):
    """Issue 31: October's steering-pack-2026-10.pptx, and the deck a scoped reader's message carries."""
    import email
    import io
    import re
    import zipfile
    from email import policy

    from pptx import Presentation

    from reports.deck import deck_slide_count

    with duckdb.connect(str(demo_run / "warehouse" / "steerpack.duckdb"), read_only=True) as conn:
        [(red_or_amber,)] = conn.execute(
            "select count(*) from marts.fct_project_month where month = ? and rag_overall in ('Red', 'Amber')",
            [D(2026, 10, 1)],
        ).fetchall()
        [(kpis,)] = conn.execute(
            "select count(*) from marts.fct_kpi_scorecard_month where month = ? and project_id is null",
            [D(2026, 10, 1)],
        ).fetchall()
    deck = Presentation(demo_run / "output" / "packs" / "2026-10" / "steering-pack-2026-10.pptx")
    assert red_or_amber > 0 and kpis > 0
    assert len(deck.slides) == deck_slide_count(red_or_amber, with_trend=True, with_scorecard=True)

    names = {p.project_id: p.name for p in PROJECTS}
    scopes = {row[0]: row[3] for row in register_rows(D(2026, 10, 1))["Distribution"] if "@" in str(row[0])}
    reader, scope = next((address, scope) for address, scope in sorted(scopes.items()) if scope != "portfolio")
    [path] = [
        path
        for path in (demo_run / "output" / "outbox" / "2026-10").glob("*.eml")
        if email.message_from_bytes(path.read_bytes(), policy=policy.default)["To"].addresses[0].addr_spec == reader
    ]
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    [deck_part] = [part for part in message.iter_attachments() if part.get_filename().endswith(".pptx")]
    package = zipfile.ZipFile(io.BytesIO(deck_part.get_content()))
    text = " ".join(
        re.sub(r"<[^>]+>", " ", package.read(name).decode("utf-8", "replace"))
        for name in package.namelist()
        if name.endswith(".xml")
    )
    allowed = set(scope.split(";"))
    for project_id in allowed:
        assert names[project_id] in text, project_id
    for project_id in set(names) - allowed:
        assert not re.search(rf"\b{project_id}\b", text) and names[project_id] not in text, project_id


@pytest.mark.slow
def test_the_executive_page_shows_grades_in_words_and_shapes_that_stay_apart_in_greyscale(demo_run, tmp_path):
    """October 2026 in headless Chromium: WMS turns Red and its Δ cell names its September grade (read from the
    warehouse); every grade cell has its word and shape; no "nan", "-0.00" or "None" in the page or its PDF; and in
    greyscale the Red, Amber and Green cells' text still differ in lightness."""
    import io
    import re
    import statistics

    from PIL import Image
    from playwright.sync_api import sync_playwright

    folder = demo_run / "output" / "packs" / "2026-10"
    with duckdb.connect(str(demo_run / "warehouse" / "steerpack.duckdb"), read_only=True) as conn:
        [(september, october)] = conn.execute(
            "select max(rag_overall) filter (where month = ?), max(rag_overall) filter (where month = ?)"
            " from marts.fct_project_month where project_id = 'WMS'",
            [D(2026, 9, 1), D(2026, 10, 1)],
        ).fetchall()
    assert october == "Red" and september != "Red"
    shots = os.environ.get("STEERPACK_SCREENSHOTS")
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto((folder / "steering-pack-2026-10.html").as_uri())
        delta = page.locator('#projects tr[data-project="WMS"] td.grade-change').inner_text()
        grade_cells = page.locator("#projects td.rag").evaluate_all(
            "cells => cells.map(c => [c.className, c.innerText.trim()])"
        )
        body_text = page.locator("body").inner_text()
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            # the executive page as a reader first sees it (the README's picture): the viewport, not the whole pack
            page.screenshot(path=str(Path(shots) / "executive-page.png"))
        page.add_style_tag(content="html{filter:grayscale(1)}")
        table = page.locator("#projects")
        table.scroll_into_view_if_needed()
        origin = table.bounding_box()
        boxes = table.locator("td.rag").evaluate_all(
            "cells => cells.map(c => { const r = c.getBoundingClientRect();"
            " return [c.className, r.x, r.y, r.width, r.height]; })"
        )
        grey = Image.open(io.BytesIO(table.screenshot())).convert("L")
        browser.close()
    assert origin is not None
    assert delta == f"▲ was {september}"
    words = {"Green": "●", "Amber": "▲", "Red": "■", "Unknown": "◌"}
    graded = [(cls, text) for cls, text in grade_cells if "rag-None" not in cls]
    assert len(graded) > 12 * 5
    for cls, text in graded:
        grade = re.search(r"rag-(\w+)", cls)[1]
        assert text == f"{words[grade]} {grade}", (cls, text)
    pdf_text = subprocess.run(
        ["pdftotext", str(folder / "steering-pack-2026-10.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    for text in (body_text, pdf_text):
        meaningless = re.findall(r".{0,40}(?:(?i:\bnan\b)|-0\.00\b|\bNone\b|\binf\b).{0,40}", text)
        assert meaningless == []
    # each grade's text lightness in greyscale: the mean of the darkest tenth of each cell's pixels (the glyphs'
    # cores, not their anti-aliased edges), over every cell of that grade
    scale = grey.width / origin["width"]  # the screenshot's pixels per CSS pixel
    lightness: dict[str, list[float]] = {"Red": [], "Amber": [], "Green": []}
    for cls, x, y, width, height in boxes:
        grade = re.search(r"rag-(\w+)", cls)[1]
        if grade not in lightness:
            continue
        left, top = (x - origin["x"]) * scale, (y - origin["y"]) * scale
        crop = grey.crop((int(left) + 2, int(top) + 2, int(left + width * scale) - 2, int(top + height * scale) - 2))
        pixels = sorted(crop.getdata())
        lightness[grade].append(statistics.mean(pixels[: max(1, len(pixels) // 10)]))
    means = {grade: statistics.mean(values) for grade, values in lightness.items()}
    assert all(lightness.values()), lightness
    assert abs(means["Red"] - means["Amber"]) >= 5 and abs(means["Amber"] - means["Green"]) >= 5, means
    assert abs(means["Red"] - means["Green"]) >= 5, means
