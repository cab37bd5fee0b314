"""steerpack.yaml: loading, validation and path resolution (DESIGN §8).

Every key is optional. An unknown key or a bad value raises ConfigError naming the file and the key,
so a PMO analyst editing the file by hand sees exactly which line to fix.
"""

from __future__ import annotations

import codecs
import datetime as dt
import os
import re
import zoneinfo
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pipelines.kpi_catalog import TARGET_TIERS, kpi_catalog
from pipelines.sources.finance import BUILT_IN_LAYOUTS, SPEND_COLUMNS, SpendLayout
from pipelines.sources.xlsx import WorkbookLimits

CONFIG_ENV_VAR = "STEERPACK_CONFIG"
DEFAULT_CONFIG_NAME = "steerpack.yaml"
MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


class ConfigError(Exception):
    """A configuration problem, with the file and key already in the message."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RagThreshold(_Strict):
    amber: Annotated[float, Field(ge=0)]
    red: Annotated[float, Field(ge=0)]

    @model_validator(mode="after")
    def _amber_below_red(self) -> RagThreshold:
        if self.amber > self.red:
            raise ValueError(f"amber ({self.amber}) must not exceed red ({self.red})")
        return self


class MilestoneRateThreshold(_Strict):
    """On-time rates below `amber` grade Amber, below `red` Red (the seed's 80-90 % target)."""

    amber: Annotated[float, Field(ge=0, le=1)] = 0.90
    red: Annotated[float, Field(ge=0, le=1)] = 0.80

    @model_validator(mode="after")
    def _red_below_amber(self) -> MilestoneRateThreshold:
        if self.red > self.amber:
            raise ValueError(f"red ({self.red}) must not exceed amber ({self.amber}): rates grade downwards")
        return self


class KpiTarget(_Strict):
    """A KPI's target (DESIGN §5a): `met` is the line for Met, `near` the edge of the amber band (Near); past it
    the KPI is Missed. Which side is good is the KPI's own (the catalog's `better`), checked by Settings."""

    met: float
    near: float


def _kpi_targets_per_tier(name: str, value: Any) -> dict[str, KpiTarget]:
    """A KPI's `kpi_targets` entry, held per tier: one `{met, near}` pair applies to every tier and the
    portfolio row; a mapping by tier (1, 2, 3, portfolio) sets the ones it names."""
    if not isinstance(value, dict):
        raise ValueError(f"kpi_targets.{name}: expected {{met, near}} or a mapping by tier, got {value!r}")
    if set(value) <= {"met", "near"}:
        target = KpiTarget.model_validate(value)
        return dict.fromkeys(TARGET_TIERS, target)
    held: dict[str, KpiTarget] = {}
    for tier, pair in value.items():
        if str(tier) not in TARGET_TIERS:
            raise ValueError(f"kpi_targets.{name}.{tier}: tiers are 1, 2, 3 and portfolio")
        if not isinstance(pair, dict):
            raise ValueError(f"kpi_targets.{name}.{tier}: expected {{met, near}}, got {pair!r}")
        held[str(tier)] = KpiTarget.model_validate(pair)
    return held


def _check_kpi_target(name: str, tier: str, target: KpiTarget) -> None:
    """A target the KPI can meet: `near` on the loose side of `met`, and both inside what the KPI can take (a
    share's near below 0 could never be missed)."""
    kpi = kpi_catalog()[name]
    where = f"kpi_targets.{name}" + ("" if tier == "all" else f".{tier}")
    if kpi.better == "higher" and target.near > target.met:
        raise ValueError(f"{where}: near ({target.near}) must not exceed met ({target.met}): higher is better")
    if kpi.better == "lower" and target.near < target.met:
        raise ValueError(f"{where}: near ({target.near}) must not be below met ({target.met}): lower is better")
    low, high = kpi.possible()
    for key, bound in (("met", target.met), ("near", target.near)):
        if (low is not None and bound < low) or (high is not None and bound > high):
            span = f"from {low if low is not None else '-inf'} to {high if high is not None else 'inf'}"
            raise ValueError(f"{where}: {key} ({bound}) is outside what {name} can take ({kpi.unit}, {span})")


def _default_issue_sla_days() -> dict[str, int]:
    return {"Critical": 2, "High": 10, "Medium": 20, "Low": 40}


def _known_encoding(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        codecs.lookup(value)
    except LookupError:
        raise ValueError(f"unknown encoding {value!r} (use a name such as utf-8, utf-16 or windows-1252)") from None
    return value


Encoding = Annotated[str | None, AfterValidator(_known_encoding)]


class SourceSettings(_Strict):
    """A source's CSV exports: `encoding` overrides detection (UTF-8, UTF-16, Windows-1252 are detected)."""

    encoding: Encoding = None


class DelimitedSourceSettings(SourceSettings):
    """A tool's CSV exports. `date_order` reads numeric dates that an Excel re-save wrote in the user's locale
    (`11/01/2023 15:22`) when no value of a column tells the order: day-month-year or month-day-year."""

    date_order: Literal["dmy", "mdy"] | None = None


class JiraSettings(DelimitedSourceSettings):
    story_points_fields: list[str] = ["Custom field (Story Points)", "Custom field (Story point estimate)"]
    # resolutions that take an item out of scope even in a Done status category, compared without case (DESIGN §5)
    out_of_scope_resolutions: list[str] = [
        "Won't Do",
        "Won't Fix",
        "Duplicate",
        "Cancelled",
        "Declined",
        "Removed",
        "Obsolete",
    ]

    # the issue types that count as items (DESIGN §5); None: every type but the containers (Epic, Feature,
    # Initiative) and sub-tasks
    counted_issue_types: list[str] | None = None

    @field_validator("out_of_scope_resolutions")
    @classmethod
    def _named_resolutions(cls, value: list[str]) -> list[str]:
        if any(not name.strip() for name in value):
            raise ValueError("a resolution name must not be blank")
        return [name.strip() for name in value]


# Azure Boards' own state categories (Microsoft's "workflow states and state categories").
AzureDevOpsStateCategory = Literal["Proposed", "In Progress", "Resolved", "Completed", "Removed"]


class AzureDevOpsSettings(DelimitedSourceSettings):
    """Custom workflow states (`In Review`, `UAT`, `PIR`) mapped onto Azure Boards' state categories, beside the
    built-in states of the Agile, Scrum, CMMI and Basic processes; `resolved_counts_as_done` switches the Resolved
    category (DESIGN §5)."""

    state_categories: dict[str, AzureDevOpsStateCategory] = {}
    resolved_counts_as_done: bool = True
    # the requirement-level work item types that count as items (DESIGN §5): never containers or their tasks
    counted_work_item_types: list[str] = ["User Story", "Product Backlog Item", "Requirement", "Issue", "Bug"]


class FinanceLayout(_Strict):
    """An ERP / AP export layout: which header holds which spend column, and how numbers and dates are written."""

    delimiter: str | None = None  # sniffed from the header line when not given
    decimal: Literal[".", ","] = "."
    thousands: str | None = None
    date_format: str | list[str] = "%Y-%m-%d"
    encoding: Encoding = None  # None: the finance section's, else detected
    columns: dict[str, str | list[str]]
    defaults: dict[str, str] = {}  # constant values for columns the export lacks, e.g. {currency: GBP}

    @field_validator("columns")
    @classmethod
    def _known_columns(cls, value: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(value) - set(SPEND_COLUMNS))
        if unknown:
            raise ValueError(f"unknown spend column(s) {unknown}; spend columns are {', '.join(SPEND_COLUMNS)}")
        missing = [c for c in ("posting_date", "amount", "document_id") if c not in value]
        if missing:
            raise ValueError(f"a layout must name the header(s) of {', '.join(missing)}")
        return value

    @field_validator("date_format")
    @classmethod
    def _strftime_format(cls, value: str | list[str]) -> str | list[str]:
        for fmt in [value] if isinstance(value, str) else value:
            if "%" not in fmt:
                raise ValueError(f"{fmt!r} is not a strftime format such as %d.%m.%Y")
        return value

    def to_layout(self, name: str) -> SpendLayout:
        return SpendLayout(
            name=name,
            columns={k: v if isinstance(v, str) else tuple(v) for k, v in self.columns.items()},
            delimiter=self.delimiter,
            decimal=self.decimal,
            thousands=self.thousands,
            date_formats=(self.date_format,) if isinstance(self.date_format, str) else tuple(self.date_format),
            encoding=self.encoding,
            defaults=dict(self.defaults),
        )


class FinanceSettings(SourceSettings):
    layouts: dict[str, FinanceLayout] = {}

    def spend_layouts(self) -> tuple[SpendLayout, ...]:
        """The configured layouts, then the built-in ones (a configured layout of the same name replaces it)."""
        configured = tuple(layout.to_layout(name) for name, layout in self.layouts.items())
        return configured + tuple(b for b in BUILT_IN_LAYOUTS if b.name not in self.layouts)


class SmtpSettings(_Strict):
    host: str
    port: Annotated[int, Field(gt=0, lt=65536)] = 587
    starttls: bool = True
    username: str | None = None
    password_env: str | None = None
    from_: Annotated[str, Field(alias="from")] = "PMO <pmo@localhost>"
    timeout_seconds: Annotated[float, Field(gt=0)] = 30.0
    # A private CA bundle for a relay with an internal certificate (the system's CAs are used otherwise).
    ca_file: Path | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def password(self) -> str | None:
        """The SMTP password, read from the environment variable the config names (never from the file).

        Raises ConfigError when the variable is named but unset, so a missing secret is caught before sending.
        """
        if not self.password_env:
            return None
        value = os.environ.get(self.password_env)
        if value is None:
            raise ConfigError(f"smtp.password_env names {self.password_env}, which is not set in the environment")
        return value


class LimitSettings(_Strict):
    """Caps on what one input file may hold (DESIGN §4a): an input over a cap is refused, naming the file and
    the cap, instead of exhausting memory or time. The defaults are far above any real PMO export."""

    member_bytes: Annotated[int, Field(gt=0)] = WorkbookLimits.member_bytes
    compression_ratio: Annotated[int, Field(gt=1)] = WorkbookLimits.compression_ratio
    sheet_rows: Annotated[int, Field(gt=0)] = WorkbookLimits.sheet_rows
    sheet_columns: Annotated[int, Field(gt=0)] = WorkbookLimits.sheet_columns
    empty_rows_run: Annotated[int, Field(gt=0)] = WorkbookLimits.empty_rows_run
    # a delimited export larger than this is refused before it is read (one finding naming the file)
    file_bytes: Annotated[int, Field(gt=0)] = 2 * 1024**3
    # an amount, BAC or cost beyond this is quarantined as implausible (checked in the file's own currency)
    max_amount: Annotated[float, Field(gt=0)] = 1.0e12
    # a plan whose baseline spans more days than this is a finding (the daily PV curve is bounded), 20 years
    max_plan_days: Annotated[int, Field(gt=0)] = 7305

    def workbook(self) -> WorkbookLimits:
        return WorkbookLimits(
            **{name: getattr(self, name) for name in WorkbookLimits.__dataclass_fields__}  # the workbook caps only
        )


class QualitySettings(_Strict):
    # A file more than this share of whose rows are quarantined blocks the month (a layout or locale problem).
    block_file_quarantine_share: Annotated[float, Field(ge=0, le=1)] = 0.5
    # ... but only in a file of at least this many rows: in a smaller one, one bad row of one says nothing about
    # the layout, so its quarantined rows are rows (a warning and a data gap on the projects they touch).
    block_file_min_rows: Annotated[int, Field(ge=1)] = 10
    # A date further than this from the snapshot's month is implausible: its row is quarantined at ingest
    # (pipelines.sources.plausible); the dates_plausible warning remains for rows loaded before that.
    plausible_date_years: Annotated[int, Field(ge=1, le=200)] = 20

    def rule_settings(self) -> dict[str, float]:
        """What `quality.validate_table` takes of these settings."""
        return {
            "plausible_date_years": self.plausible_date_years,
            "block_file_quarantine_share": self.block_file_quarantine_share,
            "block_file_min_rows": self.block_file_min_rows,
        }


AttachmentKind = Literal["pdf", "xlsx", "pptx", "html"]
DEFAULT_ATTACHMENTS: tuple[AttachmentKind, ...] = ("pdf", "xlsx", "pptx", "html")


class DeliverySettings(_Strict):
    """How messages are retried, where run failures are reported, and what each reader's message carries."""

    max_attempts: Annotated[int, Field(ge=1, le=10)] = 3
    retry_backoff_seconds: Annotated[float, Field(ge=0)] = 2.0  # doubled after each failed attempt
    ops_email: str | None = None  # the PMO operations address that hears of failed runs
    # the files a message attaches (the reader's pack or scoped pack), in this order; per recipient role (the
    # Distribution sheet's `role`, matched without regard to case) where `attachments_by_role` names it
    attachments: list[AttachmentKind] = Field(default_factory=lambda: list(DEFAULT_ATTACHMENTS))
    attachments_by_role: dict[str, list[AttachmentKind]] = Field(default_factory=dict)
    # a message larger than this with its attachments links to the pack's files instead of attaching them
    max_message_bytes: Annotated[int, Field(ge=100_000, le=150_000_000)] = 10 * 1024 * 1024

    def attachments_for_role(self, role: str | None) -> list[AttachmentKind]:
        """The kinds a recipient of `role` is sent: the role's own list, else `attachments`."""
        by_role = {name.strip().casefold(): kinds for name, kinds in self.attachments_by_role.items()}
        return list(by_role.get((role or "").strip().casefold(), self.attachments))


class PackSettings(_Strict):
    """How the pack prints, and where its KPI names link to."""

    page_size: Literal["A4", "Letter"] = "A4"  # the PDF's paper, landscape
    # the metrics dictionary the pack's KPI names link to: the dbt docs `steerpack docs` builds (output/dbt-docs),
    # or the address a team serves them at; None links to the built folder beside the packs
    docs_url: str | None = None


class ForecastSettings(_Strict):
    """The Monte Carlo forecasts (DESIGN §5b): how many weeks of an agile plan's throughput they sample, and how
    many trials each project's forecast runs."""

    history_weeks: Annotated[int, Field(ge=6, le=104)] = 12  # fewer than 6 weeks of history forecasts nothing
    trials: Annotated[int, Field(ge=100, le=1_000_000)] = 10_000


class ScheduleSettings(_Strict):
    """When the monthly run starts: `day_of_month` at `time` in `timezone`, for the month just ended."""

    day_of_month: Annotated[int, Field(ge=1, le=28)] = 3
    time: Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")] = "06:00"
    timezone: str = "UTC"

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {value!r} (use an IANA name such as Europe/London)") from None
        return value

    @property
    def cron(self) -> str:
        hour, minute = (int(part) for part in self.time.split(":"))
        return f"{minute} {hour} {self.day_of_month} * *"


def _default_tolerances() -> dict[int, int]:
    return {1: 0, 2: 5, 3: 10}


def _default_thresholds() -> dict[int, RagThreshold]:
    return {
        1: RagThreshold(amber=0.05, red=0.10),
        2: RagThreshold(amber=0.10, red=0.20),
        3: RagThreshold(amber=0.15, red=0.30),
    }


def _default_rate_thresholds() -> dict[int, MilestoneRateThreshold]:
    return dict.fromkeys((1, 2, 3), MilestoneRateThreshold())


class Settings(_Strict):
    """The validated contents of steerpack.yaml, with paths made absolute."""

    first_month: dt.date = dt.date(2024, 1, 1)
    inbox: Path = Path("./inbox")
    warehouse: Path = Path("./warehouse/steerpack.duckdb")
    output: Path = Path("./output")
    # DuckDB's memory limit, for steerpack's connections and dbt's: past it DuckDB spills to disk.
    warehouse_memory_limit: Annotated[str, Field(pattern=r"^\d+(\.\d+)?\s*(MB|GB|MiB|GiB)$")] = "2GB"
    base_currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "USD"
    # the rate the money columns are translated into base_currency at (DESIGN §5 Currency): the month's, or each
    # project's budget rate (the register's Projects column budget_fx_rate); the indices never depend on it
    fx_policy: Literal["current", "budget_rate"] = "current"
    post_golive_window_days: Annotated[int, Field(gt=0, le=366)] = 30
    milestone_tolerance_days: dict[int, Annotated[int, Field(ge=0)]] = Field(default_factory=_default_tolerances)
    rag_thresholds: dict[int, RagThreshold] = Field(default_factory=_default_thresholds)
    # one {amber, red} pair for every tier, or per tier like rag_thresholds (DESIGN §8); held per tier
    milestone_rate_thresholds: dict[int, MilestoneRateThreshold] = Field(default_factory=_default_rate_thresholds)
    holidays: list[dt.date] = Field(default_factory=list)  # taken out of business-day counts
    # rag_benefits is Red this many days or fewer before go-live while the benefits are not ready
    benefits_red_days: Annotated[int, Field(ge=0, le=366)] = 30
    # an open RAID item updated at most this many days before as_of is fresh (raid_fresh_pct)
    raid_fresh_days: Annotated[int, Field(ge=0, le=366)] = 7
    # a change request pending longer than this many days needs a decision (the pack's "Decisions needed")
    change_pending_days: Annotated[int, Field(ge=0, le=3660)] = 10
    # the KPI framework's targets (DESIGN §5a), per KPI and optionally per tier; the rest keep the catalog's
    kpi_targets: dict[str, dict[str, KpiTarget]] = Field(default_factory=dict)
    # a RAID issue closed within this many elapsed days of being raised met its SLA (issue_resolution_sla)
    issue_sla_days: dict[Literal["Critical", "High", "Medium", "Low"], Annotated[int, Field(ge=0, le=3660)]] = Field(
        default_factory=_default_issue_sla_days
    )
    # dependency_confirmation looks at the open dependencies due within this many days of as_of
    dependency_horizon_days: Annotated[int, Field(gt=0, le=366)] = 42
    jira: JiraSettings = JiraSettings()
    azure_devops: AzureDevOpsSettings = AzureDevOpsSettings()
    incidents: DelimitedSourceSettings = DelimitedSourceSettings()
    finance: FinanceSettings = FinanceSettings()
    smtp: SmtpSettings | None = None
    limits: LimitSettings = LimitSettings()
    quality: QualitySettings = QualitySettings()
    delivery: DeliverySettings = DeliverySettings()
    schedule: ScheduleSettings = ScheduleSettings()
    forecast: ForecastSettings = ForecastSettings()
    pack: PackSettings = PackSettings()
    # Where the file came from; not a key of the file itself.
    config_file: Path | None = Field(default=None, exclude=True)

    @field_validator("first_month", mode="before")
    @classmethod
    def _parse_month(cls, value: Any) -> Any:
        if isinstance(value, dt.date):
            return value.replace(day=1)
        match = MONTH_PATTERN.match(str(value).strip())
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise ValueError(f"expected a month as YYYY-MM, got {value!r}")
        return dt.date(int(match.group(1)), int(match.group(2)), 1)

    @field_validator("milestone_rate_thresholds", mode="before")
    @classmethod
    def _rate_thresholds_per_tier(cls, value: Any) -> Any:
        """A flat `{amber, red}` pair applies to every tier; a mapping by tier is validated as it is."""
        if isinstance(value, MilestoneRateThreshold):
            return dict.fromkeys((1, 2, 3), value)
        if isinstance(value, dict) and value and set(value) <= {"amber", "red"}:
            try:
                flat = MilestoneRateThreshold.model_validate(value)
            except ValidationError as error:  # named once, as the user wrote it, not once per tier
                problems = []
                for item in error.errors():
                    where, message = ".".join(map(str, item["loc"])), item["msg"].removeprefix("Value error, ")
                    problems.append(f"{where}: {message}" if where else message)
                raise ValueError("; ".join(problems)) from None
            return dict.fromkeys((1, 2, 3), flat)
        return value

    @field_validator("kpi_targets", mode="before")
    @classmethod
    def _kpi_targets_known_and_possible(cls, value: Any) -> Any:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise ValueError(f"expected a mapping of KPI names to targets, got {value!r}")
        catalog = kpi_catalog()
        held: dict[str, dict[str, KpiTarget]] = {}
        for name, entry in value.items():
            if name not in catalog:
                raise ValueError(f"kpi_targets.{name}: not a KPI; the KPIs are {', '.join(catalog)}")
            held[name] = _kpi_targets_per_tier(name, entry)
            flat = isinstance(entry, dict) and set(entry) <= {"met", "near"}
            for tier, target in held[name].items():
                _check_kpi_target(name, "all" if flat else tier, target)
                if flat:
                    break
        return held

    @field_validator("milestone_tolerance_days", "rag_thresholds", "milestone_rate_thresholds")
    @classmethod
    def _tiers_one_to_three(cls, value: dict[int, Any]) -> dict[int, Any]:
        unknown = sorted(set(value) - {1, 2, 3})
        if unknown:
            raise ValueError(f"tiers are 1, 2 and 3; got {unknown}")
        return value

    @model_validator(mode="after")
    def _fill_missing_tiers(self) -> Settings:
        object.__setattr__(self, "issue_sla_days", {**_default_issue_sla_days(), **self.issue_sla_days})
        tolerances = {**_default_tolerances(), **self.milestone_tolerance_days}
        thresholds = {**_default_thresholds(), **self.rag_thresholds}
        rate_thresholds = {**_default_rate_thresholds(), **self.milestone_rate_thresholds}
        object.__setattr__(self, "milestone_tolerance_days", tolerances)
        object.__setattr__(self, "rag_thresholds", thresholds)
        object.__setattr__(self, "milestone_rate_thresholds", rate_thresholds)
        return self

    def resolved(self, base: Path) -> Settings:
        """The same settings with relative paths resolved against `base` (the config file's folder)."""

        def absolute(path: Path) -> Path:
            return path if path.is_absolute() else (base / path).resolve()

        smtp = self.smtp
        if smtp is not None and smtp.ca_file is not None:
            smtp = smtp.model_copy(update={"ca_file": absolute(smtp.ca_file)})
        return self.model_copy(
            update={
                "inbox": absolute(self.inbox),
                "warehouse": absolute(self.warehouse),
                "output": absolute(self.output),
                "smtp": smtp,
            }
        )

    def encoding_for(self, source_folder: str) -> str | None:
        """The declared encoding of a source's CSVs, by its inbox folder (None: detect)."""
        section = {
            "jira": self.jira,
            "azure_devops": self.azure_devops,
            "incidents": self.incidents,
            "finance": self.finance,
        }.get(source_folder)
        return section.encoding if section else None

    @property
    def dagster_home(self) -> Path:
        return Path(os.environ.get("DAGSTER_HOME") or (self.base_dir / ".dagster")).resolve()

    @property
    def base_dir(self) -> Path:
        return self.config_file.parent if self.config_file else Path.cwd()

    def dbt_vars(self) -> dict[str, Any]:
        """The settings dbt needs, as `--vars` (thresholds and tolerances never live as SQL literals)."""
        return {
            "base_currency": self.base_currency,
            "fx_policy": self.fx_policy,
            "post_golive_window_days": self.post_golive_window_days,
            "milestone_tolerance_days": {str(k): v for k, v in sorted(self.milestone_tolerance_days.items())},
            "rag_thresholds": {
                str(k): {"amber": v.amber, "red": v.red} for k, v in sorted(self.rag_thresholds.items())
            },
            "milestone_rate_thresholds": {
                str(k): {"amber": v.amber, "red": v.red} for k, v in sorted(self.milestone_rate_thresholds.items())
            },
            "holidays": sorted(day.isoformat() for day in self.holidays),
            "benefits_red_days": self.benefits_red_days,
            "raid_fresh_days": self.raid_fresh_days,
            "change_pending_days": self.change_pending_days,
            "issue_sla_days": dict(self.issue_sla_days),
            "dependency_horizon_days": self.dependency_horizon_days,
            "kpi_targets": {
                name: {tier: {"met": t.met, "near": t.near} for tier, t in targets.items()}
                for name, targets in sorted(self.kpi_targets.items())
            },
            "max_plan_days": self.limits.max_plan_days,
            "forecast_history_weeks": self.forecast.history_weeks,
            "jira_out_of_scope_resolutions": list(self.jira.out_of_scope_resolutions),
            "jira_counted_issue_types": self.jira.counted_issue_types,
            "azure_devops_counted_work_item_types": list(self.azure_devops.counted_work_item_types),
        }


def _describe(error: ValidationError, path: Path | None) -> str:
    where = str(path) if path else "built-in defaults"
    lines = []
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"]) or "(top level)"
        if item["type"] == "extra_forbidden":
            lines.append(f"{where}: unknown key '{key}'")
        else:
            lines.append(f"{where}: bad value for '{key}': {item['msg']}")
    return "\n".join(lines)


def parse_settings(data: dict[str, Any] | None, config_file: Path | None = None) -> Settings:
    """Validate a mapping read from steerpack.yaml; raise ConfigError naming the file and key."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{config_file}: expected a mapping of keys at the top level, got {type(data).__name__}")
    try:
        settings = Settings.model_validate(data)
    except ValidationError as error:
        raise ConfigError(_describe(error, config_file)) from None
    base = config_file.parent if config_file else Path.cwd()
    resolved = settings.resolved(base)
    problem = _overlapping_paths(resolved)
    if problem:
        raise ConfigError(f"{config_file or 'built-in defaults'}: {problem}")
    return resolved.model_copy(update={"config_file": config_file})


def _overlapping_paths(settings: Settings) -> str | None:
    """Why the inbox, the warehouse and the output folder overlap, or None when they are apart.

    A pack swap replaces `output/packs/YYYY-MM/` whole and the inbox is read month by month, so a warehouse
    inside the output, or an output inside the inbox (or the reverse), would be overwritten or read as input.
    Compared as real paths: a symlink does not hide an overlap.
    """
    inbox, warehouse, output = (path.resolve() for path in (settings.inbox, settings.warehouse, settings.output))
    if warehouse.is_relative_to(output):
        return f"'warehouse' ({settings.warehouse}) must not lie inside 'output' ({settings.output})"
    if output.is_relative_to(inbox):
        return f"'output' ({settings.output}) must not be or lie inside 'inbox' ({settings.inbox})"
    if inbox.is_relative_to(output):
        return f"'inbox' ({settings.inbox}) must not lie inside 'output' ({settings.output})"
    return None


def load_settings(config_file: str | os.PathLike[str] | None = None) -> Settings:
    """Load settings from `config_file`, else $STEERPACK_CONFIG, else ./steerpack.yaml, else the defaults.

    A file named explicitly (argument or environment) must exist; the implicit ./steerpack.yaml may not.
    """
    explicit = config_file or os.environ.get(CONFIG_ENV_VAR)
    path = Path(explicit) if explicit else Path.cwd() / DEFAULT_CONFIG_NAME
    path = path.resolve()
    if not path.exists():
        if explicit:
            raise ConfigError(f"{path}: config file not found")
        return parse_settings({}, None)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML: {error}") from None
    return parse_settings(data, path)
