"""Drafts of blocked months (DESIGN §2): what the month would show, marked "DRAFT — not published", never emailed.

A month that fails its quality gate publishes nothing: its marts and its pack stay as they were. So that the
PMO can see what the blocking problem would do to the numbers, its draft is computed on a copy of the
warehouse (the month's raw rows are already there: ingest ran), with `dbt run` for the month alone, and
rendered into `output/drafts/YYYY-MM/` with the blocking findings first. If even the draft's numbers cannot
be computed (a missing FX rate stops dbt), the draft holds the findings alone. Plain functions: no Dagster.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import duckdb

from pipelines.config import Settings
from pipelines.core.files import discard, publish_folder, staging_root, write_atomic
from pipelines.core.packs import PackOptions
from pipelines.core.warehouse import lock as warehouse_lock
from pipelines.core.warehouse.forecasts import write_forecasts_to
from pipelines.core.warehouse.publication import prepare_candidate
from pipelines.dbt.command import dbt_command, dbt_environment, window_vars
from pipelines.dbt.phases import after_forecast, before_forecast
from pipelines.dbt.runner import invoke

DRAFT_MARK = "DRAFT — not published"


def draft_paths(output: Path, month: dt.date) -> dict[str, Path]:
    from pipelines.core.packs import draft_folder

    folder = draft_folder(output, month)
    stem = f"steering-pack-{month:%Y-%m}-draft"
    return {"folder": folder, "html": folder / f"{stem}.html", "pdf": folder / f"{stem}.pdf"}


def render_draft(settings: Settings, month: dt.date, findings: list[str]) -> Path:
    """The blocked month's draft pack (HTML and PDF, project pages included); returns the HTML's path."""
    from reports.data import PackData, load_pack_data, load_project_pages
    from reports.render import PACK_DEPTH, PORTFOLIO_TITLE, html_to_pdf, render_pack_html

    # Under the warehouse lock throughout: the copy is taken from a warehouse no run is writing, and a run's
    # clean-up of abandoned staging folders (which it does under the lock) never removes this draft's.
    warehouse_lock.acquire(settings.warehouse, f"draft of {month:%Y-%m} (pid {os.getpid()})")
    staged = staging_root(settings.output)
    try:
        copy = _compute_month(settings, month, staged) if settings.warehouse.exists() else None
        computed = copy is not None
        data, pages = PackData(month=month, as_of=None), []
        if computed:
            with duckdb.connect(str(copy), read_only=True) as conn:
                data, pages = load_pack_data(conn, month), load_project_pages(conn, month)
        title = f"{DRAFT_MARK} — {PORTFOLIO_TITLE}"
        draft = {"findings": findings, "computed": computed}
        paths = draft_paths(staged, month)
        # output/drafts/YYYY-MM/ is as deep as the pack's own folder: the same links to the metrics dictionary
        options = PackOptions.of(settings)
        rendering = {"draft": draft, "page_size": options.page_size, "docs_base": options.docs_base(PACK_DEPTH)}
        write_atomic(paths["pdf"], html_to_pdf(render_pack_html(data, title, pages, for_pdf=True, **rendering)), staged)
        write_atomic(paths["html"], render_pack_html(data, title, pages, **rendering), staged)
        published = draft_paths(settings.output, month)
        publish_folder(paths["folder"], published["folder"], settings.output)
        return published["html"]
    finally:
        discard(staged)
        warehouse_lock.release(settings.warehouse)


def _compute_month(settings: Settings, month: dt.date, staged: Path) -> Path | None:
    """Copy the warehouse into `staged` as a monthly build does (the caller holds its lock, so no run writes it
    meanwhile) and run the month's models on the copy; the copy, or None when dbt cannot compute them."""
    copy = prepare_candidate(settings.warehouse, staged / "warehouse")
    command = dbt_command(
        [
            "run",
            "--vars",
            json.dumps(window_vars([month], settings.dbt_vars())),
            "--log-level",
            "none",  # nothing on the console: the draft says itself whether its numbers could be computed
        ],
        target_path=copy.parent / "target",
        log_path=copy.parent / "logs",
    )
    # In this process, like a monthly build (runner.invoke): the run before it has loaded dbt and its parse. In
    # the build's two phases around the forecast step (pipelines.dbt.phases), so the draft forecasts too.
    environment = dbt_environment(copy, settings.warehouse_memory_limit)
    if not invoke(before_forecast(command), environment).success:
        return None
    write_forecasts_to(copy, [month], settings)
    return copy if invoke(after_forecast(command), environment).success else None
