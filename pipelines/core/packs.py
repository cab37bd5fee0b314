"""Publishing a month's packs: where each file goes, which scopes get a pack, and the staging-and-swap.

`reports/` builds the documents (strings and bytes); this module decides where they are written and publishes a
month as one folder: `output/packs/YYYY-MM/` holds the portfolio pack (HTML, PDF, workbook), `projects/` one page
per project, `go-no-go/` one PDF per release in its Go/No-Go window, `closure/` one PDF per project closed as
of the month (its closure report) and `scoped/<scope>/` each reader's own pack
(whose releases' Go/No-Go pages are inside it). `publish_month` renders all of it into a staging folder
and swaps it in with one rename (pipelines.core.files). The Distribution sheet's scope text is parsed here, once
(`scope_project_ids`), and handed on as frozensets: to `month_scopes`, to delivery's plan, to `load_pack_data`.
Delivery asks `attachments` for a reader's files. Plain functions over a DuckDB connection: no Dagster.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import multiprocessing
import os
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.config import Settings
from pipelines.core.files import (
    SAFE_NAME,
    STAGING_FOLDER,
    discard,
    inside,
    publish_folder,
    safe_name,
    staging_root,
    write_atomic,
)
from reports.closure import ClosurePage, render_closure_html
from reports.data import PackData, ProjectPage, load_pack_data, load_project_pages, load_recipients
from reports.deck import build_deck
from reports.fingerprint import record_path, render_record
from reports.go_no_go import GoNoGoPage, render_go_no_go_html
from reports.render import (
    PACK_DEPTH,
    PROJECT_PAGE_DEPTH,
    docs_base_for,
    html_to_pdf,
    render_pack_html,
    render_project_html,
)
from reports.workbook import build_workbook


# what a delivered message carries by default, in this order (settings.delivery.attachments picks among them)
@dataclass(frozen=True)
class PackOptions:
    """How the month's documents print and link: the PDFs' paper (`pack.page_size`, landscape) and the metrics
    dictionary the KPI names link to (`pack.docs_url`; None: the dbt docs `steerpack docs` builds beside the
    packs, reached relative to each document's folder)."""

    page_size: str = "A4"
    docs_url: str | None = None

    @classmethod
    def of(cls, settings: Settings) -> PackOptions:
        return cls(page_size=settings.pack.page_size, docs_url=settings.pack.docs_url)

    def docs_base(self, depth: int) -> str:
        """The dictionary's address from a document `depth` folders below the output folder."""
        return self.docs_url or docs_base_for(depth)


DEFAULT_OPTIONS = PackOptions()
SCOPED_PACK_DEPTH = 4  # output/packs/YYYY-MM/scoped/<scope>/

ATTACHED_KINDS = ("pdf", "xlsx", "pptx", "html")
PARALLEL_PAGES = 40
PORTFOLIO_SCOPE = "portfolio"


def scope_project_ids(scope: str) -> frozenset[str] | None:
    """A recipient's scope on the Distribution sheet: `portfolio` -> None (everything); `P1; P2` -> {"P1", "P2"}."""
    if scope.strip().lower() == PORTFOLIO_SCOPE:
        return None
    return frozenset(part.strip() for part in scope.split(";") if part.strip())


def _pack_files(folder: Path, month: dt.date) -> dict[str, Path]:
    stem = f"steering-pack-{month:%Y-%m}"
    return {"folder": folder, **{kind: folder / f"{stem}.{kind}" for kind in ("html", "xlsx", "pdf", "pptx")}}


def pack_paths(output: Path, month: dt.date) -> dict[str, Path]:
    return _pack_files(output / "packs" / month.strftime("%Y-%m"), month)


def write_workbook(
    conn: duckdb.DuckDBPyConnection, month: dt.date, path: Path, root: Path, project_ids: set[str] | None = None
) -> Path:
    """The workbook at `path`, which must lie under `root` (the output folder)."""
    return write_atomic(path, build_workbook(conn, month, project_ids), root)


def write_pack(data: PackData, output: Path, with_pdf: bool = True, options: PackOptions = DEFAULT_OPTIONS) -> Path:
    """The HTML pack and, with `with_pdf`, its PDF, each written atomically (a failed render leaves the previous
    files)."""
    paths = pack_paths(output, data.month)
    if with_pdf:
        write_pack_pdf(data, output, options)
    return write_atomic(paths["html"], render_pack_html(data, **_render_options(options, PACK_DEPTH)), output)


def write_pack_pdf(data: PackData, output: Path, options: PackOptions = DEFAULT_OPTIONS) -> Path:
    html = render_pack_html(data, for_pdf=True, **_render_options(options, PACK_DEPTH))
    return write_atomic(pack_paths(output, data.month)["pdf"], html_to_pdf(html), output)


def _render_options(options: PackOptions, depth: int) -> dict[str, str]:
    return {"page_size": options.page_size, "docs_base": options.docs_base(depth)}


def write_deck(data: PackData, pages: list[ProjectPage], paths: dict[str, Path], output: Path) -> Path:
    """The slide deck (reports/deck.py) beside the pack's PDF: `paths` are the pack's (pack_paths or
    scoped_pack_paths), `pages` its project pages."""
    return write_atomic(paths["pptx"], build_deck(data, pages), output)


def project_page_paths(output: Path, month: dt.date, project_id: str) -> dict[str, Path]:
    """A project's page files, named by its id when that is a safe file name (the register's rule), else by a
    digest of it: an id such as `../../x` or `A/B` never names a folder."""
    folder = pack_paths(output, month)["folder"] / "projects"
    stem = safe_name(project_id)
    return {"html": folder / f"{stem}.html", "pdf": folder / f"{stem}.pdf"}


def write_project_page(
    page: ProjectPage, output: Path, with_pdf: bool = True, options: PackOptions = DEFAULT_OPTIONS
) -> Path:
    """The page's HTML and, with `with_pdf`, its PDF from the very same HTML: the charts are drawn once, as PNG
    (which WeasyPrint prints several times faster than SVG); a page without PDF keeps its charts as SVG."""
    paths = project_page_paths(output, page.month, page.project["project_id"])
    html = render_project_html(page, for_pdf=with_pdf, **_render_options(options, PROJECT_PAGE_DEPTH))
    if with_pdf:
        write_atomic(paths["pdf"], html_to_pdf(html), output)
    return write_atomic(paths["html"], html, output)


def write_project_pages(
    pages: list[ProjectPage], output: Path, with_pdf: bool = True, options: PackOptions = DEFAULT_OPTIONS
) -> list[Path]:
    """Each project's page as HTML, and as PDF when `with_pdf`. Pages are independent and the charts and PDF
    are CPU-bound, so a large portfolio renders on every core (worker processes cost a second or two to start,
    which only pays off past a few dozen pages)."""
    workers = min(os.cpu_count() or 1, 8)
    if len(pages) < PARALLEL_PAGES or workers < 2:
        return [write_project_page(page, output, with_pdf, options) for page in pages]
    # spawn, not fork: the caller may be a threaded Dagster run, and a forked child would inherit its locks
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        return list(
            pool.map(
                functools.partial(write_project_page, output=output, with_pdf=with_pdf, options=options),
                pages,
                chunksize=max(1, len(pages) // (workers * 4)),
            )
        )


def go_no_go_paths(output: Path, month: dt.date, pages: list[GoNoGoPage]) -> list[Path]:
    """Each Go/No-Go page's PDF, `go-no-go/<project_id>-<release>.pdf`, each part a safe name (safe_name); two
    releases whose names would meet (project `A-B` release `C`, project `A` release `B-C`) are named by a digest
    of both parts instead, so neither overwrites the other."""
    folder = pack_paths(output, month)["folder"] / "go-no-go"
    stems = [f"{safe_name(page.project_id)}-{safe_name(page.release_name)}" for page in pages]
    digests = [safe_name("\n".join((page.project_id, page.release_name))) for page in pages]
    uses = Counter(stems)
    return [folder / f"{stem if uses[stem] == 1 else digest}.pdf" for stem, digest in zip(stems, digests)]


def write_go_no_go_page(page: GoNoGoPage, path: Path, output: Path, options: PackOptions = DEFAULT_OPTIONS) -> Path:
    return write_atomic(path, html_to_pdf(render_go_no_go_html(page), options.page_size), output)


def write_go_no_go_pages(
    pages: list[GoNoGoPage], month: dt.date, output: Path, options: PackOptions = DEFAULT_OPTIONS
) -> list[Path]:
    """The month's Go/No-Go pages, each as its own PDF."""
    return _write_each(write_go_no_go_page, pages, go_no_go_paths(output, month, pages), output, options)


def _write_each(
    write_one: Callable[..., Path], pages: list, paths: list[Path], output: Path, options: PackOptions
) -> list[Path]:
    """`write_one(page, path, output, options)` for each page and its path: on every core past a few dozen pages,
    as the project pages (`write_one` is a module-level function, so a worker process can run it)."""
    workers = min(os.cpu_count() or 1, 8)
    if len(pages) < PARALLEL_PAGES or workers < 2:
        return [write_one(page, path, output, options) for page, path in zip(pages, paths)]
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        return list(pool.map(functools.partial(write_one, output=output, options=options), pages, paths))


def closure_paths(output: Path, month: dt.date, pages: list[ClosurePage]) -> list[Path]:
    """Each closure report's PDF, `closure/<project_id>.pdf`, named as the project pages are (safe_name: an id
    that is not a safe file name is named by a digest of it, never a folder)."""
    folder = pack_paths(output, month)["folder"] / "closure"
    return [folder / f"{safe_name(page.project_id)}.pdf" for page in pages]


def write_closure_page(page: ClosurePage, path: Path, output: Path, options: PackOptions = DEFAULT_OPTIONS) -> Path:
    return write_atomic(path, html_to_pdf(render_closure_html(page), options.page_size), output)


def write_closure_pages(
    pages: list[ClosurePage], month: dt.date, output: Path, options: PackOptions = DEFAULT_OPTIONS
) -> list[Path]:
    """The month's closure reports, each as its own PDF."""
    return _write_each(write_closure_page, pages, closure_paths(output, month, pages), output, options)


def scope_key(project_ids: frozenset[str]) -> str:
    """A folder name for a scope, one per scope: its project ids joined by `+`, or a digest when that would make
    a long or odd name. `+` is never part of a safe project id, so {CRM, EU} and {CRM_EU} never share a folder
    (a shared folder would send one reader's projects to the other)."""
    joined = "+".join(sorted(project_ids))
    if len(joined) <= 60 and all(SAFE_NAME.fullmatch(project_id) for project_id in project_ids) and project_ids:
        return joined
    return "scope-" + hashlib.sha256("\n".join(sorted(project_ids)).encode()).hexdigest()[:16]


def scoped_pack_paths(output: Path, month: dt.date, project_ids: frozenset[str]) -> dict[str, Path]:
    return _pack_files(pack_paths(output, month)["folder"] / "scoped" / scope_key(project_ids), month)


def write_scoped_pack(
    conn: duckdb.DuckDBPyConnection,
    month: dt.date,
    project_ids: frozenset[str],
    output: Path,
    pages: list[ProjectPage] | None = None,
    options: PackOptions = DEFAULT_OPTIONS,
) -> dict[str, Path]:
    """A reader's own pack: the executive page and the project pages of `project_ids` only, in one HTML
    document, its PDF and a workbook limited to the same projects. Nothing else is read from the marts.
    `pages`, the month's project pages when the caller has read them already, are not read again."""
    data = load_pack_data(conn, month, set(project_ids))
    if pages is None:
        pages = load_project_pages(conn, month, set(project_ids))
    else:
        pages = [page for page in pages if page.project["project_id"] in project_ids]
    title = f"Steering pack for {', '.join(sorted(project_ids))}"
    paths = scoped_pack_paths(output, month, project_ids)
    rendering = _render_options(options, SCOPED_PACK_DEPTH)
    write_atomic(paths["pdf"], html_to_pdf(render_pack_html(data, title, pages, for_pdf=True, **rendering)), output)
    write_deck(data, pages, paths, output)
    write_workbook(conn, month, paths["xlsx"], output, set(project_ids))
    write_atomic(paths["html"], render_pack_html(data, title, pages, **rendering), output)
    return paths


def month_scopes(conn: duckdb.DuckDBPyConnection, month: dt.date) -> list[frozenset[str]]:
    """The distinct project scopes of the month's recipients (portfolio readers get the portfolio pack)."""

    scopes = {scope_project_ids(recipient["recipient_scope"]) for recipient in load_recipients(conn, month)}
    return sorted((scope for scope in scopes if scope), key=sorted)


def publish_month(
    conn: duckdb.DuckDBPyConnection,
    month: dt.date,
    output: Path,
    with_pdf: bool = True,
    options: PackOptions = DEFAULT_OPTIONS,
) -> Path:
    """Render the whole month — the pack, its workbook, the project pages (their PDFs with `with_pdf`), each
    Go/No-Go page's and each closure report's PDF (with `with_pdf`) and every recipient's scoped pack — into a
    staging folder, then swap it in with one rename: a failure or a kill at any point leaves the previous month's
    folder whole, and a corrected re-run never keeps a stale page.
    The month's project pages are read once, for the project pages and every scoped pack.
    The folder also records the fingerprint of the marts it was rendered from (reports/fingerprint.py), which
    delivery checks before sending it."""
    staged = staging_root(output)
    try:
        rendered_from = render_record(conn, month)  # before anything is read: the render holds the warehouse lock
        data = load_pack_data(conn, month)
        write_pack(data, staged, with_pdf=with_pdf, options=options)
        write_workbook(conn, month, pack_paths(staged, month)["xlsx"], staged)
        pages = load_project_pages(conn, month)
        write_project_pages(pages, staged, with_pdf=with_pdf, options=options)
        if with_pdf:
            write_deck(data, pages, pack_paths(staged, month), staged)  # the deck goes with the PDF, as on send
            # the portfolio's releases only: a scoped reader's pack holds its releases' pages inside it
            write_go_no_go_pages(data.go_no_go, month, staged, options)
            # the portfolio's closed projects, each as its own PDF (a scoped pack holds its own in its appendix)
            write_closure_pages(data.closure, month, staged, options)
            for project_ids in month_scopes(conn, month):
                write_scoped_pack(conn, month, project_ids, staged, pages, options)
        write_atomic(record_path(pack_paths(staged, month)["folder"]), rendered_from, staged)
        published = pack_paths(output, month)
        publish_folder(pack_paths(staged, month)["folder"], published["folder"], output)
        discard(inside(output, draft_folder(output, month)))  # a draft of this month is out of date now
        return published["html"]
    finally:
        discard(staged)


class PackNotRendered(Exception):
    """The month's portfolio pack is not in the output folder (the month was never rendered)."""


def attachments(
    conn: duckdb.DuckDBPyConnection,
    month: dt.date,
    project_ids: frozenset[str] | None,
    output: Path,
    written: dict[frozenset[str], dict[str, Path]],
    kinds: Sequence[str] = ATTACHED_KINDS,
    options: PackOptions = DEFAULT_OPTIONS,
) -> list[Path]:
    """The files of `kinds` a reader's message carries, in the order of `kinds` (settings.delivery's list for the
    reader's role): the portfolio pack's, or the reader's own scoped pack's, as `publish_month` wrote them. A month
    published before scoped packs were part of it (or without its PDFs and decks: a backfill prints those of its
    last month only) gets the reader's scoped pack now, once per scope (`written` remembers those of the run), and
    the portfolio's PDF and deck now, from the marts its HTML was rendered from (a send checks they have not
    changed). Raises PackNotRendered when the portfolio pack is missing."""
    kinds = list(dict.fromkeys(kinds))  # each file once
    if project_ids is None:
        paths = pack_paths(output, month)
        printed_on_send = ("pdf", "pptx")
        missing = [paths[kind] for kind in ("html", *kinds) if kind not in printed_on_send and not paths[kind].exists()]
        if missing:
            raise PackNotRendered(missing[0])
        if "pdf" in kinds and not paths["pdf"].exists():
            write_pack_pdf(load_pack_data(conn, month), output, options)
        if "pptx" in kinds and not paths["pptx"].exists():
            write_deck(load_pack_data(conn, month), load_project_pages(conn, month), paths, output)
    else:
        paths = scoped_pack_paths(output, month, project_ids)
        if project_ids not in written and not all(paths[kind].exists() for kind in kinds):
            written[project_ids] = write_scoped_pack(conn, month, project_ids, output, options=options)
    return [paths[kind] for kind in kinds]


def draft_folder(output: Path, month: dt.date) -> Path:
    """Where a blocked month's draft goes (pipelines.run.drafts renders it)."""
    return output / "drafts" / f"{month:%Y-%m}"


def discard_abandoned_staging(output: Path) -> None:
    """Staging folders a killed run left behind (only one run renders at a time: it holds the warehouse lock)."""
    discard(output / STAGING_FOLDER)
