"""Issue 26: `steerpack send` sends only a pack rendered from the marts it describes. Starts from the built
September (rendered and delivered), changes a mart row after the render, and re-renders the month itself."""

from __future__ import annotations

import datetime as dt
import email
import gc
import shutil
from email import policy

import duckdb
import pytest
from click.testing import CliRunner

from pipelines.cli import main
from pipelines.core.delivery import current
from pipelines.core.packs import pack_paths, publish_month, scoped_pack_paths
from reports.fingerprint import record_path
from tests.helpers import query

SEP = dt.date(2026, 9, 1)
REFUSAL = (
    "the 2026-09 pack was rendered before the marts last changed: run `steerpack run --month 2026-09` "
    "(or re-render it: materialize steering_pack) first"
)
RENAMED = "Beta CRM (rebuilt by hand)"


def sent_nothing(workspace) -> bool:
    outbox = workspace.output / "outbox"
    no_mail = not outbox.exists() or not list(outbox.rglob("*.eml"))
    return no_mail and query(workspace, "select count(*) from marts.delivery_log") == [(0,)]


@pytest.mark.slow
def test_send_refuses_a_pack_the_marts_changed_under_until_it_is_rendered_again(september_workspace, monkeypatch):
    workspace = september_workspace  # September is built, rendered and delivered already
    config = str(workspace.config_file)
    assert record_path(pack_paths(workspace.output, SEP)["folder"]).exists()  # the render recorded its marts
    shutil.rmtree(workspace.output / "outbox", ignore_errors=True)  # as if nobody had been sent it yet
    with duckdb.connect(str(workspace.warehouse)) as conn:
        conn.execute("delete from marts.delivery_log")
        # the marts change after the render (rebuilt by hand, or a run whose render failed after dbt published)
        conn.execute(
            "update marts.fct_project_month set project_name = ? where month = ? and project_id = 'BETA'",
            [RENAMED, SEP],
        )

    for extra in ([], ["--dry-run"]):
        refused = CliRunner().invoke(main, ["send", "--month", "2026-09", "--config", config, *extra])
        assert refused.exit_code == 1, refused.output
        assert refused.output.strip() == f"Error: {REFUSAL}"
        assert sent_nothing(workspace)

    # the delivery job refuses on its own too (a send launched from the Dagster UI skips the CLI's check)
    with monkeypatch.context() as patch:
        patch.setattr(current, "require_current_pack", lambda conn, output, month: None)
        refused = CliRunner().invoke(main, ["send", "--month", "2026-09", "--config", config])
    gc.collect()  # the failed step's DuckDB connection is closed only when its traceback is collected
    assert refused.exit_code == 1, refused.output
    assert f"pack_delivery: {REFUSAL}" in refused.output
    assert sent_nothing(workspace)

    # rendered again (what the pack asset does): now it goes, body and attachments from the same marts
    with duckdb.connect(str(workspace.warehouse)) as conn:
        publish_month(conn, SEP, workspace.output)
    sent = CliRunner().invoke(main, ["send", "--month", "2026-09", "--config", config])
    assert sent.exit_code == 0, sent.output
    assert query(workspace, "select recipient, status from marts.delivery_log order by recipient") == [
        ("bob@example.com", "sent"),
        ("head.pmo@example.com", "sent"),
    ]
    outbox = workspace.output / "outbox" / "2026-09"
    for recipient in ("head.pmo@example.com", "bob@example.com"):  # the portfolio reader and BETA's reader
        message = email.message_from_bytes((outbox / f"{recipient}.eml").read_bytes(), policy=policy.default)
        assert RENAMED in message.get_body(("html",)).get_content()
        [attached] = [part for part in message.iter_attachments() if part.get_filename().endswith(".html")]
        assert RENAMED in attached.get_content()
    assert RENAMED in scoped_pack_paths(workspace.output, SEP, frozenset({"BETA"}))["html"].read_text("utf-8")
