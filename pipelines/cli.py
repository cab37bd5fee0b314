"""`steerpack`: the PMO analyst's command line (DESIGN §8).

Every command takes `--config FILE` (default ./steerpack.yaml, else built-in defaults). Problems a user can fix
(a bad config key, a missing inbox, a broken register, a month not runnable yet) print one clear message and exit
1, as a failed or blocked run does; a malformed option (`--month October`) is a usage error and exits 2.

Commands that run things (run, backfill, send, demo) print progress, findings and results only: dbt's log and
library warnings go to the command's run log (pipelines/run/library_output.py), named when the run fails, and
shown on the terminal with `--verbose`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import sys
from pathlib import Path

import click
from tqdm import tqdm

from pipelines.config import ConfigError, Settings, load_settings
from pipelines.core.delivery.plan import RESEND_TAG, SEND_TAG, DeliveryError
from pipelines.core.inbox import InboxError, drop_months, require_inbox
from pipelines.core.packs import pack_paths
from pipelines.core.text import printable, printable_lines
from pipelines.names import DELIVER_PACK_JOB, MONTHLY_PACK_JOB
from pipelines.observe.progress import STAGES
from pipelines.partitions import months_between, parse_month_arg
from pipelines.run.instance import prepare_environment
from pipelines.run.isolation import MonthsBlocked, run_each_month_on_its_own
from pipelines.run.library_output import LibraryOutput, library_output, routed
from pipelines.run.runner import MonthNotRunnable, RunFailed
from pipelines.run.signals import run_in_new_session, signal_name
from pipelines.sources.common import SourceFormatError


def with_config(command):
    """Add `--config` to a command and hand it validated settings; user errors become clean messages."""

    @click.option(
        "--config",
        "config",
        type=click.Path(dir_okay=False),
        default=None,
        help="steerpack.yaml to use (default: ./steerpack.yaml, else built-in defaults).",
    )
    @functools.wraps(command)
    def wrapper(config: str | None, **kwargs):
        verbose = kwargs.pop("verbose", None)  # given to the commands that run things (verbose_option)
        run_log = None
        try:
            settings = load_settings(config)
            with _library_output(command.__name__, verbose, settings) as run_log:
                done = command(settings=settings, **kwargs)
            if verbose:
                _say_run_log(run_log)
            return done
        except (ConfigError, InboxError, SourceFormatError, DeliveryError, MonthNotRunnable, FileExistsError) as error:
            # names and messages from the inbox never forge a line nor reach the terminal raw (DESIGN §4a); only
            # a config error has lines of its own (one per bad key)
            shown = printable_lines(error) if isinstance(error, ConfigError) else printable(error)
            raise click.ClickException(shown) from None
        except RunFailed as error:
            click.echo(f"steerpack: the run failed:\n{printable_lines(error)}", err=True)
            _say_run_log(run_log)
            sys.exit(1)
        except MonthsBlocked as error:
            for month in error.published:
                click.echo(f"{month:%Y-%m}: {pack_paths(settings.output, month)['html']}")
            click.echo(f"steerpack: {printable_lines(error)}", err=True)
            _say_run_log(run_log)
            sys.exit(1)
        except click.ClickException:
            raise
        except Exception:
            _say_run_log(run_log)
            raise

    return wrapper


verbose_option = click.option(
    "--verbose", is_flag=True, help="Also show dbt's log and library warnings (they are always in the run's log)."
)


def _library_output(command: str, verbose: bool | None, settings: Settings):
    """The command's library output routed to its run log (and the terminal with --verbose), for the commands
    that take --verbose; the others leave it as it is."""
    if verbose is None:
        return contextlib.nullcontext()
    plan = library_output(command, verbose, settings.output, sys.stderr.isatty(), dt.datetime.now(), os.getpid())
    return routed(plan)


def _say_run_log(run_log: LibraryOutput | None) -> None:
    if run_log is not None and run_log.run_log.exists():
        click.echo(f"steerpack: dbt's log and library warnings are in {run_log.run_log}", err=True)


def _month(ctx, param, value):
    if value is None:
        return None
    try:
        return parse_month_arg(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """steerpack: monthly IT-portfolio steering packs from your PMO tools' exports."""


def _run_with_progress(
    settings: Settings,
    months: list[dt.date],
    label: str,
    job_name: str = MONTHLY_PACK_JOB,
    tags: dict[str, str] | None = None,
    stages: tuple[str, ...] = STAGES,
) -> None:
    if job_name == MONTHLY_PACK_JOB:
        require_inbox(settings.inbox)
    bar = tqdm(
        total=len(months) * len(stages),
        desc=label,
        unit="step",
        file=sys.stderr,
        disable=None,
        bar_format="{desc}: {n_fmt}/{total_fmt} {bar} {postfix}",
    )

    def on_progress(stage: str, month: dt.date) -> None:
        bar.set_postfix_str(f"{month:%Y-%m} {stage}")
        bar.update(1)
        if bar.disable:
            click.echo(f"{label}: {month:%Y-%m} {stage}", err=True)

    try:
        run_each_month_on_its_own(settings, months, on_progress, job_name=job_name, extra_tags=tags)
    finally:
        bar.close()


def _print_packs(settings: Settings, months: list[dt.date]) -> None:
    for month in months:
        click.echo(f"{month:%Y-%m}: {pack_paths(settings.output, month)['html']}")


@main.command()
@click.option("--month", required=True, callback=_month, help="The month to run, YYYY-MM.")
@verbose_option
@with_config
def run(settings: Settings, month: dt.date) -> None:
    """Ingest, compute, render and deliver one month."""
    _run_with_progress(settings, [month], f"run {month:%Y-%m}")
    _print_packs(settings, [month])


@main.command()
@click.option("--from", "first", required=True, callback=_month, help="First month, YYYY-MM.")
@click.option("--to", "last", required=True, callback=_month, help="Last month, YYYY-MM (inclusive).")
@click.option("--send", is_flag=True, help="Also email each month's pack (a backfill only re-renders by default).")
@verbose_option
@with_config
def backfill(settings: Settings, first: dt.date, last: dt.date, send: bool) -> None:
    """Recompute a range of months in one run (dbt once over the range), with progress per month."""
    if last < first:
        raise click.BadParameter(f"--to {last:%Y-%m} is before --from {first:%Y-%m}")
    months = months_between(first, last)
    _run_with_progress(
        settings, months, f"backfill {first:%Y-%m}..{last:%Y-%m}", tags={SEND_TAG: "true" if send else "false"}
    )
    _print_packs(settings, months)
    if send:
        for month in months:
            _print_delivery(settings, month)


@main.command()
@click.option("--month", required=True, callback=_month, help="The month to send, YYYY-MM (already rendered).")
@click.option("--dry-run", is_flag=True, help="Print who would get what, and send nothing.")
@click.option("--resend", is_flag=True, help="Send again to recipients who already have the month's pack.")
@verbose_option
@with_config
def send(settings: Settings, month: dt.date, dry_run: bool, resend: bool) -> None:
    """Email a rendered month to its distribution list; recipients who already have it are skipped."""
    from pipelines.core.delivery.current import require_current_pack
    from pipelines.core.delivery.plan import describe_plan, plan_delivery

    published = pack_paths(settings.output, month)["html"]
    if not published.exists():
        # A month never run, or blocked by its quality gate: there is nothing to send, and the run would only fail.
        raise click.ClickException(
            f"{month:%Y-%m} has no published pack ({published} does not exist): run "
            f"`steerpack run --month {month:%Y-%m}` first, or fix what blocked it"
        )
    with _read_warehouse(settings) as conn:
        require_current_pack(conn, settings.output, month)  # the marts changed after the render: send nothing
    if dry_run:
        with _read_warehouse(settings) as conn:
            plan = plan_delivery(conn, month, resend)
        if not plan:
            raise click.ClickException(
                f"nobody to send {month:%Y-%m} to: the month has no distribution list "
                "in the warehouse (has it been run?)"
            )
        click.echo(describe_plan(plan, settings))
        return
    _run_with_progress(
        settings,
        [month],
        f"send {month:%Y-%m}",
        job_name=DELIVER_PACK_JOB,
        tags={SEND_TAG: "true", RESEND_TAG: "true" if resend else "false"},
        stages=("delivered",),
    )
    _print_delivery(settings, month)


def _read_warehouse(settings: Settings):
    import duckdb

    if not settings.warehouse.exists():
        raise click.ClickException(f"no warehouse at {settings.warehouse}: run a month first (steerpack run)")
    try:
        return duckdb.connect(str(settings.warehouse), read_only=True)
    except duckdb.IOException as error:
        raise click.ClickException(
            f"the warehouse is busy (a run is writing it); try again when it ends: {error}"
        ) from None


def _print_delivery(settings: Settings, month: dt.date) -> None:
    from pipelines.core.delivery.plan import delivery_log_rows

    with _read_warehouse(settings) as conn:
        rows = delivery_log_rows(conn, month)
    for recipient, row in sorted(rows.items()):
        when = f" {row['sent_at']:%Y-%m-%d %H:%M} UTC" if row["sent_at"] else ""
        error = f" — {row['last_error']}" if row["last_error"] else ""
        click.echo(
            printable(
                f"{month:%Y-%m}  {recipient}  [{row['scope']}]  {row['status']}{when}, {row['attempts']} attempt(s)"
                f"{error}"
            )
        )


@main.command()
@click.option(
    "--month", callback=_month, help="The month's drop to check, YYYY-MM (default: every month in the inbox)."
)
@with_config
def validate(settings: Settings, month: dt.date | None) -> None:
    """Check a drop before the monthly run: parse every file and run the quality suites; write nothing."""
    from pipelines.core.validate import format_report, validate_drop

    months = [month] if month else drop_months(settings.inbox)
    if not months:
        raise click.ClickException(f"no month folders (YYYY-MM) in the inbox {settings.inbox}")
    reports = validate_drop(settings, months)
    click.echo(format_report(reports, settings))
    if any(report.errors for report in reports):
        sys.exit(1)


@main.command()
@verbose_option
@with_config
def demo(settings: Settings) -> None:
    """Write the demo portfolio's inbox, backfill every demo month, render and deliver to the outbox."""
    from pipelines.synthetic.demo import write_demo_inbox

    months = write_demo_inbox(settings.inbox)
    click.echo(f"demo inbox: {settings.inbox} ({len(months)} monthly drops, {months[0]:%Y-%m} to {months[-1]:%Y-%m})")
    _run_with_progress(settings, drop_months(settings.inbox), "demo", tags={SEND_TAG: "false"})
    click.echo("steering packs:")
    _print_packs(settings, months)
    # Like a PMO going live: history re-rendered silently, then the latest month emailed.
    _run_with_progress(
        settings,
        [months[-1]],
        f"send {months[-1]:%Y-%m}",
        job_name=DELIVER_PACK_JOB,
        tags={SEND_TAG: "true"},
        stages=("delivered",),
    )
    _print_delivery(settings, months[-1])
    click.echo(f"outbox: {settings.output / 'outbox'}")
    click.echo(f"warehouse: {settings.warehouse}")


@main.command()
@click.option(
    "--scale",
    type=click.Choice(["tiny", "small", "medium", "large"]),
    default="small",
    show_default=True,
    help="tiny = 10 projects (the test suite's smoke test); small = 50; medium = 500 (~1 M work items); "
    "large = 2,000 (~5 M work items).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    default="bench/out",
    show_default=True,
    help="Where bench.json and bench.md are written.",
)
@click.option(
    "--reuse-inbox",
    is_flag=True,
    help="Keep DIR/inbox between runs and reuse it when complete (for repeated runs by hand).",
)
@click.option("--no-backfill", is_flag=True, help="Measure the month only (backfill_3_months_seconds is null).")
def bench(scale: str, out: str, reuse_inbox: bool, no_backfill: bool) -> None:
    """Generate a synthetic portfolio at SCALE, run a month end to end and a 3-month backfill, and measure."""
    from pipelines.synthetic.bench import run_bench

    result = run_bench(
        scale,
        Path(out).resolve(),
        say=lambda text: click.echo(text, err=True),
        reuse_inbox=reuse_inbox,
        backfill=not no_backfill,
    )
    click.echo((Path(out) / "bench.md").read_text(encoding="utf-8"))
    click.echo(f"written: {Path(out) / 'bench.json'} (one month {result['total_seconds']} s)")


@main.command()
@click.option("--port", default=3000, show_default=True, help="Port of the Dagster UI.")
@with_config
def ui(settings: Settings, port: int) -> None:
    """Start the Dagster UI (dagster dev) on steerpack's definitions and persistent instance."""
    prepare_environment(settings)
    dagster = Path(sys.executable).with_name("dagster")
    command = [
        str(dagster) if dagster.exists() else "dagster",
        "dev",
        "-m",
        "pipelines.definitions",
        "--port",
        str(port),
    ]
    click.echo(f"Dagster UI on http://127.0.0.1:{port} (instance: {os.environ['DAGSTER_HOME']})")
    # dagster dev in a session of its own: a stop signal to steerpack (a service manager's SIGTERM, Ctrl-C) is
    # forwarded to its whole group (webserver, daemon, code server), which is then waited for, SIGKILL after 15 s.
    raise SystemExit(
        run_in_new_session(
            command,
            grace=15.0,
            on_stop=lambda signum: click.echo(
                f"steerpack: stopped by {signal_name(signum)}; the Dagster UI is shut down", err=True
            ),
        )
    )


@main.command()
@click.option("--no-serve", is_flag=True, help="Build the docs and print where they are; do not serve them.")
@click.option("--port", default=8080, show_default=True, help="Port of the dbt docs server.")
@with_config
def docs(settings: Settings, no_serve: bool, port: int) -> None:
    """Build the dbt docs (the metrics dictionary) from the warehouse, and serve them."""
    from pipelines.dbt.docs import generate_docs, serve_command

    try:
        index = generate_docs(settings)
    except RuntimeError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"dbt docs: {index}")
    if no_serve:
        return
    click.echo(f"dbt docs on http://127.0.0.1:{port}")
    # dbt docs serve in a session of its own, as `ui` runs dagster dev: a stop signal reaches it through us, once.
    raise SystemExit(
        run_in_new_session(
            serve_command(settings, port),
            grace=5.0,
            on_stop=lambda signum: click.echo(
                f"steerpack: stopped by {signal_name(signum)}; the docs server is shut down", err=True
            ),
        )
    )


if __name__ == "__main__":
    main()
