"""MS Project XML (MSPDI): costs in hundredths, baselines 0 and 1, with or without declaration and indentation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from xml.sax.saxutils import escape

from pipelines.synthetic.exports.rows import Task


def _mspdi_datetime(value: dt.date, hour: int) -> str:
    return f"{value.isoformat()}T{hour:02d}:00:00"


def write_mspdi(path: Path, title: str, tasks: list[Task], indent: bool = True, declaration: bool = True) -> Path:
    """MSPDI as Project saves it: money in hundredths, baseline 0 (the plan) and baseline 1 (an old re-plan)."""
    newline, pad = ("\n", "\t") if indent else ("", "")
    parts = []
    if declaration:
        parts.append('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>')
    parts.append('<Project xmlns="http://schemas.microsoft.com/project">')
    parts.append(
        f"{pad}<SaveVersion>14</SaveVersion><Name>{escape(title)}.xml</Name>"
        f"<Title>{escape(title)}</Title><CurrencyDigits>2</CurrencyDigits>"
    )
    parts.append(f"{pad}<Tasks>")
    for task in tasks:
        fields = [
            ("UID", task.uid),
            ("ID", task.uid),
            ("Name", escape(task.name)),
            ("OutlineLevel", task.level),
            ("Summary", int(task.is_summary)),
            ("Milestone", int(task.is_milestone)),
            *([] if task.is_critical is None else [("Critical", int(task.is_critical))]),
            ("Start", _mspdi_datetime(task.start, 8)),
            ("Finish", _mspdi_datetime(task.finish, 17)),
            ("PercentComplete", round(task.percent_complete)),
            ("Cost", round(task.cost * 100)),
            ("ActualCost", round(task.actual_cost * 100)),
        ]
        if task.actual_finish:
            fields.append(("ActualFinish", _mspdi_datetime(task.actual_finish, 17)))
        body = "".join(f"<{name}>{value}</{name}>" for name, value in fields)
        baselines = ""
        if task.uid != 0:
            cost = "" if task.baseline_cost is None else f"<Cost>{round(task.baseline_cost * 100)}</Cost>"
            baselines = (
                f"<Baseline><Number>0</Number><Start>{_mspdi_datetime(task.baseline_start, 8)}</Start>"
                f"<Finish>{_mspdi_datetime(task.baseline_finish, 17)}</Finish>{cost}</Baseline>"
                f"<Baseline><Number>1</Number><Start>{_mspdi_datetime(task.baseline_start, 8)}</Start>"
                f"<Finish>{_mspdi_datetime(task.baseline_finish + dt.timedelta(days=30), 17)}</Finish>"
                f"<Cost>99999999</Cost></Baseline>"
            )
        parts.append(f"{pad}{pad}<Task>{body}{baselines}</Task>")
    parts.append(f"{pad}</Tasks>")
    parts.append("</Project>")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(newline.join(parts) + newline, encoding="utf-8")
    return path
