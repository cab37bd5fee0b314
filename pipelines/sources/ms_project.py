"""Microsoft Project XML (MSPDI): the schedule as Project saves it, with or without XML declaration or indentation.

What the format really does: money is stored in hundredths of the currency unit (Project writes `Cost`
352625 for 3,526.25), `PercentComplete` is 0-100, the project summary is task UID 0, and a task carries up to
eleven `<Baseline>` blocks numbered 0-10 of which only 0 is the plan baseline; each block holds only the
fields that were saved in it. Blank task lines (`<IsNull>1</IsNull>`) are rows of the file, not tasks.
"""

from __future__ import annotations

import datetime as dt
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import defusedxml
import defusedxml.ElementTree as SafeET
import pandas as pd

from pipelines.sources.common import LoadBatch, Reject, SourceFormatError
from pipelines.sources.schema import parser_columns

FILE_FORMAT = "mspdi_xml"
NAMESPACE = "http://schemas.microsoft.com/project"
CURRENCY_SCALE = 100.0  # MSPDI currency fields are hundredths of the unit


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def matches_xml_head(head: bytes) -> bool:
    """An MSPDI file: an XML document whose root is `<Project>` in Project's namespace."""
    text = head.decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n")
    return text.startswith("<") and "<Project" in text[:2000] and NAMESPACE in text[:2000]


def _children(element: ET.Element) -> dict[str, str]:
    return {_local(child.tag): (child.text or "").strip() for child in element if len(child) == 0}


def _datetime(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO date-time") from None


def _number(text: str | None) -> float | None:
    if text in (None, ""):
        return None
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None
    if not math.isfinite(number):  # `NaN`, `INF`, `1e999`: no cost or percentage (DESIGN §4a)
        raise ValueError(f"{text!r} is not a finite number")
    return number


def parse_ms_project(path: Path, display_name: str) -> LoadBatch:
    """Canonical `schedule_tasks` rows; plan_key is the file's stem (DESIGN §5)."""
    batch = LoadBatch(source_file=display_name, file_format=FILE_FORMAT, source="ms_project")
    try:
        # Project never writes a DTD: one in the file (entity expansion, external entities) is refused outright.
        root = SafeET.parse(path, forbid_dtd=True).getroot()
    except defusedxml.DefusedXmlException as error:
        raise SourceFormatError(
            f"{display_name}: refused: the XML declares a DTD or entities ({type(error).__name__}), "
            "which MS Project never writes; export the plan again from Project"
        ) from None
    except OSError as error:
        raise SourceFormatError(f"{display_name}: cannot be read ({error.strerror or error})") from None
    except ET.ParseError as error:
        line, column = error.position
        reason = str(error).split(": line ")[0]  # expat appends the position we already give
        raise SourceFormatError(
            f"{display_name}: not well-formed XML (line {line}, column {column}): {reason}"
        ) from None
    if _local(root.tag) != "Project":
        raise SourceFormatError(f"{display_name}: XML root is <{_local(root.tag)}>, expected MS Project's <Project>")
    tasks = next((child for child in root if _local(child.tag) == "Tasks"), None)
    records, read = [], 0
    for position, task in enumerate([] if tasks is None else [t for t in tasks if _local(t.tag) == "Task"], start=1):
        read += 1
        fields = _children(task)
        try:
            record = _task_record(fields, task, display_name, batch)
        except ValueError as error:
            batch.rejects.append(
                Reject(
                    "schedule_tasks",
                    position,
                    f"task {position} (UID {fields.get('UID', '?')}): {error}",
                    fields,
                    path.stem,
                )
            )
            continue
        record["source_row"] = position
        record["plan_key"] = path.stem
        records.append(record)
    batch.rows_read["schedule_tasks"] = read
    batch.tables["schedule_tasks"] = pd.DataFrame.from_records(records, columns=parser_columns("schedule_tasks"))
    return batch


def _task_record(fields: dict[str, str], task: ET.Element, display_name: str, batch: LoadBatch) -> dict:
    if fields.get("IsNull") == "1":
        raise ValueError("blank task line (IsNull=1)")
    uid = fields.get("UID")
    if not uid:
        raise ValueError("no UID")
    baseline = _baseline_zero(task, uid, batch)
    percent = _number(fields.get("PercentComplete"))
    if percent is not None and not 0 <= percent <= 100:
        raise ValueError(f"PercentComplete {percent:g} is outside 0-100")
    start, finish = _datetime(fields.get("Start")), _datetime(fields.get("Finish"))
    actual_finish = _datetime(fields.get("ActualFinish"))
    return {
        "task_uid": uid,
        "task_name": fields.get("Name") or None,
        "outline_level": int(fields["OutlineLevel"]) if fields.get("OutlineLevel") else None,
        "is_summary": fields.get("Summary") == "1" or uid == "0",
        "is_milestone": fields.get("Milestone") == "1",
        "start_date": start.date() if start else None,
        "finish_date": finish.date() if finish else None,
        "baseline_start": baseline["start"].date() if baseline.get("start") else None,
        "baseline_finish": baseline["finish"].date() if baseline.get("finish") else None,
        "baseline_cost": baseline.get("cost"),
        "percent_complete": percent,
        "cost": _money(fields.get("Cost")),
        "actual_cost": _money(fields.get("ActualCost")),
        "actual_finish": actual_finish.date() if actual_finish else None,
        # Project's own critical-path flag (0/1); null when the file does not say, never a guess
        "is_critical": _flag(fields.get("Critical")),
    }


def _flag(text: str | None) -> bool | None:
    if text in (None, ""):
        return None
    if text.lower() in ("1", "true"):
        return True
    if text.lower() in ("0", "false"):
        return False
    raise ValueError(f"Critical {text!r} is not 0 or 1")


def _money(text: str | None) -> float | None:
    value = _number(text)
    return None if value is None else value / CURRENCY_SCALE


def _baseline_zero(task: ET.Element, uid: str, batch: LoadBatch) -> dict:
    """Baseline 0's start, finish and cost; every inverted baseline (any number) is reported in the load log."""
    chosen: dict = {}
    for block in (child for child in task if _local(child.tag) == "Baseline"):
        fields = _children(block)
        number = fields.get("Number", "")
        start, finish = _datetime(fields.get("Start")), _datetime(fields.get("Finish"))
        if start and finish and finish < start:
            use = "the plan baseline" if number == "0" else "ignored: only baseline 0 is the plan baseline"
            batch.notes.append(
                f"task UID {uid}: baseline {number} finishes ({finish:%Y-%m-%d}) before it starts "
                f"({start:%Y-%m-%d}) ({use})"
            )
        if number == "0":
            chosen = {"start": start, "finish": finish, "cost": _money(fields.get("Cost"))}
    return chosen
