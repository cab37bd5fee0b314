"""Delivery for real: a rendered month sent through a real SMTP server on loopback (STARTTLS and login),
retried and logged in marts.delivery_log; the delivery job and the run-failure sensor through Dagster."""

import datetime as dt
import re
import shutil
import subprocess

import dagster as dg
import duckdb
import pytest
from openpyxl import load_workbook

from pipelines.config import ConfigError, load_settings
from pipelines.core.delivery.plan import RESEND_TAG, SEND_TAG, plan_delivery, should_send
from pipelines.core.delivery.send import deliver_month
from pipelines.core.delivery.transports import SmtpTransport
from pipelines.names import DELIVERY_KEY
from pipelines.resources import build_resources
from pipelines.sensors import build_failure_sensor
from tests.helpers import pipeline_assets, tiny_register_sheets, write_config, write_sheets
from tests.smtp_server import PASSWORD, SmtpServer

# The module's rendered site is built once: xdist runs a module's tests on one worker (`--dist loadfile`).
pytestmark = pytest.mark.slow


SEP = dt.date(2026, 9, 1)


HEAD, BOB, CAROL = "head.pmo@example.com", "bob@example.com", "carol@example.com"


@pytest.fixture(scope="module")
def rendered_month(tmp_path_factory):
    """September 2026 ingested, computed and rendered once, without email (a backfill-style run)."""
    folder = tmp_path_factory.mktemp("rendered")
    sheets = tiny_register_sheets()
    sheets["Distribution"].append(["carol@example.com", "Carol Owner", "Sponsor", "ALPHA"])
    write_sheets(folder / "inbox" / "2026-09" / "register" / "portfolio.xlsx", sheets)
    settings = load_settings(write_config(folder))
    result = dg.materialize(
        pipeline_assets(settings),
        partition_key="2026-09-01",
        resources=build_resources(settings),
        instance=dg.DagsterInstance.ephemeral(),
        tags={SEND_TAG: "false"},
        raise_on_error=False,
    )
    assert result.success
    assert not (settings.output / "outbox").exists()  # a run tagged not to send sends nothing
    return folder


@pytest.fixture
def site(rendered_month, tmp_path, monkeypatch):
    """A private copy of the rendered month, and an SMTP server; yields (settings factory, server)."""
    shutil.copytree(rendered_month / "warehouse", tmp_path / "warehouse")
    shutil.copytree(rendered_month / "output", tmp_path / "output")
    (tmp_path / "inbox").mkdir()
    monkeypatch.setenv("STEERPACK_TEST_SMTP_PASSWORD", PASSWORD)
    with SmtpServer(tmp_path) as server:

        def settings(**overrides):
            config = {
                "smtp": server.smtp_config(),
                "delivery": {"max_attempts": 3, "retry_backoff_seconds": 0.01, "ops_email": "ops@example.com"},
                **overrides,
            }
            return load_settings(write_config(tmp_path, **config))

        yield settings, server


def deliver(settings, **kwargs):
    waits = []
    with duckdb.connect(str(settings.warehouse)) as conn:
        outcomes = deliver_month(conn, settings, SEP, SmtpTransport(settings.smtp), sleep=waits.append, **kwargs)
    return outcomes, waits


def log(settings):
    with duckdb.connect(str(settings.warehouse), read_only=True) as conn:
        return conn.execute(
            "select recipient, scope, status, attempts, message_id, sent_at is not null "
            "from marts.delivery_log where month = ? order by recipient",
            [SEP],
        ).fetchall()


def test_each_recipient_gets_one_message_over_starttls_with_their_attachments(site):
    make_settings, server = site
    settings = make_settings()
    outcomes, _ = deliver(settings)
    assert [(o.recipient, o.status, o.attempts) for o in outcomes] == [
        (BOB, "sent", 1),
        (CAROL, "sent", 1),
        (HEAD, "sent", 1),
    ]
    assert server.mailbox.logins == ["pmo-bot"] * 3  # logged in after STARTTLS with the env password
    assert sorted(r.envelope_to[0] for r in server.mailbox.received) == [BOB, CAROL, HEAD]
    # the default attachments (settings.delivery.attachments): PDF, workbook, deck, HTML
    names = [f"steering-pack-2026-09.{kind}" for kind in ("pdf", "xlsx", "pptx", "html")]
    for address, subject in ((HEAD, "portfolio"), (BOB, "BETA"), (CAROL, "ALPHA")):
        [message] = server.mailbox.to(address)
        assert message["From"] == "PMO <pmo@example.com>" and message["To"].addresses[0].addr_spec == address
        assert message["Subject"] == f"Steering pack — 2026-09 — {subject}"
        assert message["Date"] and message["Message-ID"].strip().endswith("@example.com>")
        assert [p.get_filename() for p in message.iter_attachments()] == names
        assert message.get_body(("plain",)) is not None and message.get_body(("html",)) is not None
    # Bob's workbook holds BETA's rows only; the head of PMO's the whole portfolio with the native charts.
    bob_xlsx = next(p for p in server.mailbox.to(BOB)[0].iter_attachments() if p.get_filename().endswith(".xlsx"))
    path = settings.output / "bob.xlsx"
    path.write_bytes(bob_xlsx.get_content())
    workbook = load_workbook(path)
    assert [row[0] for row in workbook["Projects"].iter_rows(min_row=2, values_only=True)] == ["BETA"]
    assert "Trend" not in workbook.sheetnames
    assert [(r[0], r[1], r[2], r[5]) for r in log(settings)] == [
        (BOB, "BETA", "sent", True),
        (CAROL, "ALPHA", "sent", True),
        (HEAD, "portfolio", "sent", True),
    ]
    assert [r[4] for r in log(settings)] == [server.mailbox.to(a)[0]["Message-ID"].strip() for a in (BOB, CAROL, HEAD)]


def test_the_delivered_html_shows_the_headline_chart_from_its_own_cid_part(site):
    """Through the relay as a client receives it: the portfolio reader's HTML body sits in multipart/related with
    the CPI/SPI chart, which its <img> references by Content-ID; a scoped reader's message has no chart."""
    make_settings, server = site
    settings = make_settings()
    # the tiny register has no plan or earned value, so no index to draw: set September's in this private copy
    with duckdb.connect(str(settings.warehouse)) as conn:
        conn.execute(
            "update marts.fct_portfolio_month set portfolio_cpi = 0.94, portfolio_spi = 0.91 where month = ?", [SEP]
        )
    deliver(settings)
    [head] = server.mailbox.to(HEAD)
    [related] = [part for part in head.walk() if part.get_content_type() == "multipart/related"]
    html_part, image = related.get_payload()
    assert (html_part.get_content_type(), image.get_content_type()) == ("text/html", "image/png")
    assert image.get_content().startswith(b"\x89PNG")
    html = head.get_body(("html",)).get_content()
    [src] = re.findall(r'<img [^>]*src="([^"]+)"', html)
    assert f"<{src.removeprefix('cid:')}>" == image["Content-ID"]
    assert 'alt="Portfolio CPI 0.94 and SPI 0.91 in September 2026 (1.00 = on plan)."' in html
    assert "<style" not in html
    [carol] = server.mailbox.to(CAROL)
    assert not [part for part in carol.walk() if part.get_content_maintype() == "image"]


def test_sending_again_sends_nothing_unless_resend(site):
    make_settings, server = site
    settings = make_settings()
    deliver(settings)
    first_ids = [r[4] for r in log(settings)]
    outcomes, _ = deliver(settings)
    assert [o.status for o in outcomes] == ["skipped"] * 3 and len(server.mailbox.received) == 3
    outcomes, _ = deliver(settings, resend=True)
    assert [o.status for o in outcomes] == ["sent"] * 3 and len(server.mailbox.received) == 6
    resent = log(settings)
    assert [r[3] for r in resent] == [2, 2, 2]  # attempts count across runs
    assert all(new != old for new, old in zip([r[4] for r in resent], first_ids))  # a resend is a new message


def test_a_refused_message_is_retried_then_recorded_and_the_rerun_sends_only_it(site):
    make_settings, server = site
    settings = make_settings()
    server.mailbox.refuse = {CAROL}  # the second message, in recipient order
    outcomes, waits = deliver(settings)
    assert [(o.recipient, o.status, o.attempts) for o in outcomes] == [
        (BOB, "sent", 1),
        (CAROL, "failed", 3),
        (HEAD, "sent", 1),
    ]
    assert "554" in outcomes[1].error
    assert server.mailbox.refused == {CAROL: 3}
    assert waits == [0.01, 0.02]  # exponential backoff between the three attempts
    failed_id = log(settings)[1][4]
    assert log(settings)[1][:4] == (CAROL, "ALPHA", "failed", 3)

    server.mailbox.refuse = set()
    outcomes, _ = deliver(settings)
    assert [(o.recipient, o.status) for o in outcomes] == [(BOB, "skipped"), (CAROL, "sent"), (HEAD, "skipped")]
    assert [r.envelope_to for r in server.mailbox.received] == [[BOB], [HEAD], [CAROL]]
    assert log(settings)[1][:4] == (CAROL, "ALPHA", "sent", 4)
    # the retried message is the same message: mail clients fold a duplicate if the first did get through
    assert server.mailbox.to(CAROL)[0]["Message-ID"].strip() == failed_id


def test_a_missing_smtp_password_stops_before_anything_is_sent(site, monkeypatch):
    make_settings, server = site
    settings = make_settings()
    monkeypatch.delenv("STEERPACK_TEST_SMTP_PASSWORD")
    with pytest.raises(ConfigError, match="STEERPACK_TEST_SMTP_PASSWORD"):
        SmtpTransport(settings.smtp)
    assert server.mailbox.received == []


def test_dry_run_plans_without_sending(site):
    make_settings, server = site
    settings = make_settings()
    deliver(settings)
    with duckdb.connect(str(settings.warehouse), read_only=True) as conn:
        plan = plan_delivery(conn, SEP)
    assert [(p.email, p.scope, p.action) for p in plan] == [
        (BOB, "BETA", "skip"),
        (CAROL, "ALPHA", "skip"),
        (HEAD, "portfolio", "skip"),
    ]


def test_a_failed_delivery_fails_the_run_and_the_failure_sensor_emails_operations(site, monkeypatch):
    make_settings, server = site
    settings = make_settings()
    server.mailbox.refuse = {BOB}
    instance = dg.DagsterInstance.ephemeral()
    resources = build_resources(settings)
    result = dg.materialize(
        pipeline_assets(settings),
        selection=[DELIVERY_KEY],
        partition_key="2026-09-01",
        resources=resources,
        instance=instance,
        tags={SEND_TAG: "true"},
        raise_on_error=False,
    )
    assert not result.success
    assert [r.envelope_to for r in server.mailbox.received] == [[CAROL], [HEAD]]

    run = instance.get_run_by_id(result.run_id)
    [failure] = instance.all_logs(result.run_id, of_type=dg.DagsterEventType.RUN_FAILURE)
    context = dg.build_run_status_sensor_context(
        sensor_name="ops_alert_on_failure",
        dagster_event=failure.dagster_event,
        dagster_instance=instance,
        dagster_run=run,
    ).for_run_failure()
    build_failure_sensor(settings)(context)
    [alert] = server.mailbox.to("ops@example.com")
    assert alert["Subject"] == "steerpack run failed — 2026-09 — __ephemeral_asset_job__"
    body = alert.get_content()
    assert result.run_id in body and "could not deliver to bob@example.com (2026-09)" in body and "554" in body


def test_a_backfill_only_sends_when_asked():
    assert should_send({}, 1) is True  # a one-month run (schedule, sensor, steerpack run) delivers
    assert should_send({}, 3) is False  # a range re-renders only
    assert should_send({SEND_TAG: "true"}, 3) is True  # steerpack backfill --send
    assert should_send({SEND_TAG: "false"}, 1) is False
    assert should_send({SEND_TAG: "true", RESEND_TAG: "true"}, 1) is True


def test_scoped_pack_pdf_names_only_the_readers_project(site):
    make_settings, server = site
    settings = make_settings()
    deliver(settings)
    pdf = next(p for p in server.mailbox.to(CAROL)[0].iter_attachments() if p.get_filename().endswith(".pdf"))
    path = settings.output / "carol.pdf"
    path.write_bytes(pdf.get_content())
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Alpha Billing" in text and "Lower billing cost" in text  # the executive page and ALPHA's own page
    assert "BETA" not in text and "Beta CRM" not in text


def test_steerpack_send_dry_run_then_send_then_nothing_left_to_send(rendered_month, tmp_path):
    """The CLI over the outbox transport: the plan, a delivery-only Dagster run, then an idempotent re-send."""
    from click.testing import CliRunner

    from pipelines.cli import main

    shutil.copytree(rendered_month / "warehouse", tmp_path / "warehouse")
    shutil.copytree(rendered_month / "output", tmp_path / "output")
    (tmp_path / "inbox").mkdir()
    config = str(write_config(tmp_path))
    dry = CliRunner().invoke(main, ["send", "--month", "2026-09", "--dry-run", "--config", config])
    assert dry.exit_code == 0, dry.output
    assert dry.output.splitlines() == [
        "2026-09  bob@example.com  [BETA]  would send: BETA/steering-pack-2026-09.pdf, "
        "BETA/steering-pack-2026-09.xlsx, BETA/steering-pack-2026-09.pptx, BETA/steering-pack-2026-09.html",
        "2026-09  carol@example.com  [ALPHA]  would send: ALPHA/steering-pack-2026-09.pdf, "
        "ALPHA/steering-pack-2026-09.xlsx, ALPHA/steering-pack-2026-09.pptx, ALPHA/steering-pack-2026-09.html",
        "2026-09  head.pmo@example.com  [portfolio]  would send: steering-pack-2026-09.pdf, "
        "steering-pack-2026-09.xlsx, steering-pack-2026-09.pptx, steering-pack-2026-09.html",
    ]
    assert not (tmp_path / "output" / "outbox").exists()

    sent = CliRunner().invoke(main, ["send", "--month", "2026-09", "--config", config])
    assert sent.exit_code == 0, sent.output
    assert sorted(p.name for p in (tmp_path / "output" / "outbox" / "2026-09").iterdir()) == [
        "bob@example.com.eml",
        "carol@example.com.eml",
        "head.pmo@example.com.eml",
    ]
    assert [line.split("  ")[1:3] for line in sent.output.splitlines() if line.startswith("2026-09")] == [
        ["bob@example.com", "[BETA]"],
        ["carol@example.com", "[ALPHA]"],
        ["head.pmo@example.com", "[portfolio]"],
    ]
    assert all(
        ", 1 attempt(s)" in line and "  sent " in line
        for line in sent.output.splitlines()
        if line.startswith("2026-09")
    )

    again = CliRunner().invoke(main, ["send", "--month", "2026-09", "--dry-run", "--config", config])
    assert again.exit_code == 0, again.output
    planned = [line.split("  ")[1:4] for line in again.output.splitlines() if line.startswith("2026-09")]
    assert [recipient for recipient, _, _ in planned] == [
        "bob@example.com",
        "carol@example.com",
        "head.pmo@example.com",
    ]
    assert all(action.startswith("already sent") for _, _, action in planned), again.output
