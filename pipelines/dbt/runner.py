"""dbt without re-parsing the project on every run: in this process (`invoke`, what monthly builds and the
drafts of blocked months use) and as the `steerpack-dbt` command line (`main`, for anyone at a terminal).

Every `dbt build` starts by parsing the whole project (~5 s of CPU here, a quarter of a monthly build), because
dbt only reuses its last parse (`partial_parse.msgpack`) when the command-line `--vars` and the profile's
connection are the same as then. A monthly run changes both: its month window is in `--vars`, and dbt builds
into a candidate copy of the warehouse whose path is new (marts_publication).

Neither changes what parsing finds: the window and the settings are used in the models' SQL, never in a
`ref`, a `source` or a `config` (tests/integration/test_dbt_project.py compares a parse with and without them).
So this command parses once without the vars, against a stand-in path with the warehouse's file name (DuckDB
names the database after the file, and the parse records that name), and reuses that parse through dbt's own
partial parsing, which still re-parses whatever files changed. It then runs the real command, vars and path
included, on the parsed manifest (dbt's documented `dbtRunner(manifest=...)`). Output, artifacts and exit
codes are dbt's. Commands that do not run nodes go to dbt unchanged, and so does a `--full-refresh`, which
the window macros see while parsing (macros/months.sql): it is rare and deliberate, and parses as before.

dbt's console log of the commands run in this process goes where dbt puts it (stdout, where `dagster dev`
captures a step's output for the UI) unless `route_console_log` names a Python logger: the CLI's commands send
it to their run log that way (pipelines/run/library_output.py). dbt's debug log, `dbt.log` in `--log-path`, is
written as before either way.

Plain functions: no Dagster.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.core.environment import environment_variable
from pipelines.dbt.command import MEMORY_LIMIT_ENV_VAR, WAREHOUSE_ENV_VAR, dbt_command

PARSE_CACHE = Path("target") / "parse-cache"
PARTIAL_PARSE_FILE = "partial_parse.msgpack"
# dbt commands that run nodes on a parsed manifest (and `docs generate`, which compiles them); anything else
# (parse, deps, debug, docs serve, --version) goes to dbt.
RUNS_NODES = {"build", "run", "test", "compile", "seed", "snapshot"}
COMPILES_NODES = ("docs", "generate")
# The events dbt fires when a node has run: what dagster-dbt turns into materializations and check results.
RESULT_EVENTS = frozenset({"LogModelResult", "LogTestResult", "LogSeedResult", "LogSnapshotResult"})
# dbt's exit codes: 0 success, 1 a node failed, 2 dbt itself could not run (dbt.cli.exceptions.ExitCodes)
FAILED, ERROR = 1, 2
# Where dbt's logs go and how much of them: the parse before a command logs as the command does.
LOG_OPTIONS = ("--log-level", "--log-level-file")
# dbt's event levels as Python's.
LOG_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warn": logging.WARNING, "error": logging.ERROR}
# Where `invoke` sends dbt's console log, and whether in colour: None is dbt's own console (route_console_log).
_console_route: tuple[logging.Logger, bool] | None = None


def main() -> None:
    sys.exit(run(sys.argv[1:]))


def run(args: list[str]) -> int:
    return _exit_code(_invoke(args, callbacks=[]))


@dataclass
class InProcessResult:
    """A dbt command run in this process: whether it succeeded, the exception that stopped dbt itself (None
    when it ran, even if a node failed), and each node's result event (models, tests, seeds, snapshots) as
    `--log-format json` would have written it."""

    success: bool
    exception: BaseException | None
    result_events: list[dict[str, Any]] = field(default_factory=list)


def invoke(args: list[str], environment: Mapping[str, str] | None = None) -> InProcessResult:
    """The dbt command `args` in this process, on the cached parse as `steerpack-dbt` runs it, with `environment`
    (what the profile reads: the warehouse path, DuckDB's memory limit) set for the command only.

    A monthly build in a child process spent ~2.5 s of CPU more (a second Python, dbt's imports, every event
    written as JSON for the parent to read back); here only what a pack needs is kept: the result of each node.
    The DuckDB database dbt opened is closed when the command ends.
    A stop (Ctrl-C, a stop signal: anything not an `Exception`) that dbt caught is raised again here."""
    from dbt_common.events.functions import msg_to_dict

    events: list[dict[str, Any]] = []

    def keep_results(message) -> None:
        if message.info.name in RESULT_EVENTS:
            events.append(msg_to_dict(message))

    callbacks = [keep_results]
    if (route := _console_route) is not None:
        logger, colours = route
        args = [*args, *console_log_flags(args, colours, os.environ)]
        callbacks.append(_forward_to(logger))
    try:
        with contextlib.ExitStack() as variables:
            for name, value in (environment or {}).items():
                variables.enter_context(environment_variable(name, value))
            result = _invoke(args, callbacks=callbacks)
    finally:
        _close_duckdb_database()
    if (stop := _stop_in(result.exception)) is not None:
        raise stop
    return InProcessResult(success=result.success, exception=result.exception, result_events=events)


def route_console_log(logger: logging.Logger | None, colours: bool = False) -> None:
    """Send what the dbt commands `invoke` runs would print on the console (info and above) to `logger`, with
    dbt's colours or without; None gives them dbt's console (stdout) again."""
    global _console_route
    _console_route = None if logger is None else (logger, colours)


def console_log_flags(args: list[str], colours: bool, environ: Mapping[str, str]) -> list[str]:
    """The dbt flags, to append to `args`, that turn dbt's console off while its log file (`dbt.log`) stays as it
    was: dbt's `--log-level` sets the file's level too unless that is given (or DBT_LOG_LEVEL_FILE is), so dbt's
    default for the file is given with it. What `args` already say is left to them (the drafts' `--log-level
    none`). Colours go with `colours`: into the run log's lines (without them when not on a terminal)."""
    flags = []
    if _option(args, "--log-level") is None:
        flags += ["--log-level", "none"]
        if _option(args, "--log-level-file") is None and not environ.get("DBT_LOG_LEVEL_FILE"):
            flags += ["--log-level-file", "debug"]
    if not {"--use-colors", "--no-use-colors"} & set(args):
        flags.append("--use-colors" if colours else "--no-use-colors")
    return flags


def _forward_to(logger: logging.Logger):
    """A dbt callback logging each event dbt's console would show (info and above) to `logger`, its secrets
    scrubbed as dbt's own loggers scrub them."""
    from dbt_common.events.functions import env_scrubber

    def forward(message) -> None:
        level = LOG_LEVELS.get(message.info.level, logging.INFO)
        if level >= logging.INFO and message.info.msg and logger.isEnabledFor(level):
            logger.log(level, env_scrubber(message.info.msg))

    return forward


def _stop_in(error: BaseException | None) -> BaseException | None:
    """A stop (anything not an `Exception`: Ctrl-C, a stop signal, Dagster's interruption) that dbt caught, also
    when dbt's clean-up then failed on a query still running in another thread and raised that instead."""
    seen = set()
    while error is not None and id(error) not in seen:
        if not isinstance(error, Exception):
            return error
        seen.add(id(error))
        error = error.__context__
    return None


def _close_duckdb_database() -> None:
    """Close the database dbt-duckdb opened. It keeps it open after a command (its profile option `keep_open`,
    on by default, saves reopening it between nodes), in a class attribute that outlives the command: the next
    build in this process, into a fresh candidate file at the same path, would have written into the old one,
    which DuckDB still held open, and the run after it published nothing new."""
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # another adapter
        return
    environment = DuckDBConnectionManager._ENV
    if environment is None:
        return
    try:
        environment.close()
    except Exception:  # noqa: BLE001 - a query still running (a stop): the process is ending, and the file with it
        return
    DuckDBConnectionManager.close_all_connections()


def _invoke(args: list[str], callbacks: list):
    from dbt.cli.main import dbtRunner

    if not reuses_parse(args, os.environ):
        return dbtRunner(callbacks=callbacks).invoke(args)
    project_dir = Path(_option(args, "--project-dir") or os.environ.get("DBT_PROJECT_DIR") or os.getcwd())
    parsed = _parse_once(project_dir, args, callbacks)
    if not parsed.success:
        return parsed  # dbt has said why (a project error), as the command itself would have
    return dbtRunner(manifest=parsed.result, callbacks=callbacks).invoke(args)


def reuses_parse(args: list[str], environ: Mapping[str, str]) -> bool:
    """Whether this dbt command runs on the cached parse: a command that runs nodes, without a full refresh
    (`--full-refresh`, `-f` or DBT_FULL_REFRESH) and with partial parsing left on (`--no-partial-parse` or
    DBT_PARTIAL_PARSE). An environment value dbt would not read as a boolean goes to dbt, which says so."""
    runs_nodes = bool(args) and (args[0] in RUNS_NODES or tuple(args[:2]) == COMPILES_NODES)
    if not runs_nodes or {"--full-refresh", "-f", "--no-partial-parse"} & set(args):
        return False
    return _env_flag(environ, "DBT_FULL_REFRESH", default=False) is False and (
        _env_flag(environ, "DBT_PARTIAL_PARSE", default=True) is True
    )


def _env_flag(environ: Mapping[str, str], name: str, default: bool) -> bool | None:
    """A boolean dbt option given in the environment, read as dbt's command line (click) reads it: an unset or
    empty variable is the default; a value click does not know is None."""
    from click.types import BoolParamType

    value = environ.get(name)
    return default if not value else BoolParamType.str_to_bool(value)


def _parse_once(project_dir: Path, args: list[str], callbacks: list):
    """dbt's manifest of the project, reusing the parse cached for this warehouse name and memory limit; its
    events go to the command's `callbacks`, and its logs where the command's go."""
    from dbt.cli.main import dbtRunner

    warehouse = Path(os.environ.get(WAREHOUSE_ENV_VAR) or "steerpack.duckdb")
    memory_limit = os.environ.get(MEMORY_LIMIT_ENV_VAR, "")
    key = hashlib.sha256(f"{warehouse.name}\0{memory_limit}".encode()).hexdigest()[:16]
    cache = project_dir / PARSE_CACHE / key
    cache.mkdir(parents=True, exist_ok=True)
    cached = cache / PARTIAL_PARSE_FILE
    # Each command parses in a folder of its own and replaces the cached file in one rename, so commands
    # running side by side never read a half-written one.
    private = Path(tempfile.mkdtemp(prefix="parse-", dir=cache))
    try:
        before = None
        if cached.exists():
            shutil.copy2(cached, private / PARTIAL_PARSE_FILE)
            before = (private / PARTIAL_PARSE_FILE).stat().st_mtime_ns
        # Where the command says the project, its profile and its logs are (dbt's defaults where it says
        # nothing); the parse's own artifacts in the private folder.
        parse_args = dbt_command(
            ["parse", "--no-write-json", "--quiet"],
            project_dir=_option(args, "--project-dir"),
            profiles_dir=_option(args, "--profiles-dir"),
            target_path=private,
            log_path=_option(args, "--log-path"),
        )
        for option in ("--profile", "--target", *LOG_OPTIONS):
            if (value := _option(args, option)) is not None:
                parse_args += [option, value]
        parse_args += [flag for flag in ("--use-colors", "--no-use-colors") if flag in args]
        # The stand-in is never opened: parsing does not connect. Only its name reaches the manifest.
        with environment_variable(WAREHOUSE_ENV_VAR, str(cache / warehouse.name)):
            parsed = dbtRunner(callbacks=callbacks).invoke(parse_args)
        written = private / PARTIAL_PARSE_FILE
        if parsed.success and written.exists() and written.stat().st_mtime_ns != before:
            os.replace(written, cached)
        return parsed
    finally:
        shutil.rmtree(private, ignore_errors=True)


def _option(args: list[str], name: str) -> str | None:
    """The value of `--name value` or `--name=value` in a dbt command line, if given."""
    for index, arg in enumerate(args):
        if arg == name and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


def _exit_code(result) -> int:
    if result.success:
        return 0
    return FAILED if result.exception is None else ERROR


if __name__ == "__main__":
    main()
