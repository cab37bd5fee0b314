"""Jira issue search CSV exports ("Export Excel CSV (all fields)"), Cloud and Server, in any UI language.

Real exports have hundreds of columns, repeated names (`Labels`, `Sprint`, custom fields), a BOM, multi-line
cells and dates like `15/Apr/26 11:59 PM` written in the exporting user's language. The header vocabulary
below maps each language's column names onto one set of English names, so a new language is a table entry,
not a new parser.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from pipelines.sources.columns import (
    DateDialect,
    ToolDatetimes,
    parse_numbers,
    parse_tool_datetimes,
    translate_month_names,
)
from pipelines.sources.common import LoadBatch, SourceFormatError, add_problem, require, split_rows
from pipelines.sources.delimited import RawTable, normalise_header

FILE_FORMAT = "jira_csv"

# English column -> the names Jira writes for it (English Cloud, English Server, Spanish, German, French).
HEADER_VOCABULARY: dict[str, tuple[str, ...]] = {
    "Issue key": (
        "Issue key",
        "Key",
        "Clave de incidencia",
        "Clave",
        "Vorgangsschlüssel",
        "Schlüssel",
        "Clé de ticket",
        "Clé",
    ),
    "Project key": ("Project key", "Clave del proyecto", "Projektschlüssel", "Clé de projet"),
    "Summary": ("Summary", "Resumen", "Zusammenfassung", "Résumé"),
    "Issue Type": ("Issue Type", "Tipo de Incidencia", "Vorgangstyp", "Type de ticket"),
    "Status": ("Status", "Estado", "Statut"),
    "Status Category": ("Status Category", "Categoría de estado", "Statuskategorie", "Catégorie d'état"),
    "Priority": ("Priority", "Prioridad", "Priorität", "Priorité"),
    "Resolution": ("Resolution", "Resolución", "Lösung", "Résolution"),
    "Created": ("Created", "Creada", "Erstellt", "Création", "Créé"),
    "Resolved": ("Resolved", "Resuelta", "Erledigt", "Résolue", "Résolu"),
    "Due date": ("Due date", "Due Date", "Fecha de vencimiento", "Fälligkeitsdatum", "Date d'échéance"),
    "Assignee": ("Assignee", "Persona asignada", "Bearbeiter", "Zugewiesene Person", "Responsable"),
    "Parent key": ("Parent key", "Clave principal", "Übergeordneter Schlüssel", "Clé parente"),
    "Parent": ("Parent", "Principal", "Übergeordnet", "Parent id"),
    "Labels": ("Labels", "Etiquetas", "Stichwörter", "Étiquettes"),
    "Sprint": ("Sprint",),
}
CUSTOM_FIELD_PREFIXES = (
    "Custom field (",
    "Campo personalizado (",
    "Benutzerdefiniertes Feld (",
    "Champ personnalisé (",
)

# Status categories and resolutions in the languages above, onto Jira's English names.
STATUS_CATEGORIES = {
    "to do": "To Do",
    "por hacer": "To Do",
    "zu erledigen": "To Do",
    "à faire": "To Do",
    "new": "To Do",
    "in progress": "In Progress",
    "en curso": "In Progress",
    "in arbeit": "In Progress",
    "en cours": "In Progress",
    "done": "Done",
    "listo": "Done",
    "hecho": "Done",
    "fertig": "Done",
    "terminé": "Done",
    "complete": "Done",
}
RESOLUTIONS = {
    "won't do": "Won't Do",
    "won't fix": "Won't Do",
    "no se hará": "Won't Do",
    "no se realizará": "Won't Do",
    "wird nicht erledigt": "Won't Do",
    "ne sera pas fait": "Won't Do",
    "duplicate": "Duplicate",
    "duplicado": "Duplicate",
    "duplicada": "Duplicate",
    "duplikat": "Duplicate",
    "doublon": "Duplicate",
    "cancelled": "Cancelled",
    "canceled": "Cancelled",
    "cancelado": "Cancelled",
    "cancelada": "Cancelled",
    "abgebrochen": "Cancelled",
    "annulé": "Cancelled",
    "removed": "Removed",
    "eliminado": "Removed",
    "entfernt": "Removed",
    "supprimé": "Removed",
    "done": "Done",
    "listo": "Done",
    "hecho": "Done",
    "fertig": "Done",
    "terminé": "Done",
    "finalizado": "Done",
}
ISSUE_TYPES = {
    "historia": "Story",
    "subtarea": "Sub-task",
    "tarea": "Task",
    "error": "Bug",
    "épica": "Epic",
    "unteraufgabe": "Sub-task",
    "aufgabe": "Task",
    "fehler": "Bug",
    "sous-tâche": "Sub-task",
    "tâche": "Task",
    "bogue": "Bug",
    "récit": "Story",
}
MONTHS = {
    # Spanish
    "ene": "Jan",
    "feb": "Feb",
    "mar": "Mar",
    "abr": "Apr",
    "may": "May",
    "jun": "Jun",
    "jul": "Jul",
    "ago": "Aug",
    "sep": "Sep",
    "sept": "Sep",
    "set": "Sep",
    "oct": "Oct",
    "nov": "Nov",
    "dic": "Dec",
    # German
    "jan": "Jan",
    "mär": "Mar",
    "mrz": "Mar",
    "apr": "Apr",
    "mai": "May",
    "aug": "Aug",
    "okt": "Oct",
    "dez": "Dec",
    # French
    "janv": "Jan",
    "févr": "Feb",
    "fév": "Feb",
    "mars": "Mar",
    "avr": "Apr",
    "juin": "Jun",
    "juil": "Jul",
    "août": "Aug",
    "déc": "Dec",
    # English (the rest coincide with the names above)
    "dec": "Dec",
}
DATETIME_FORMATS = (
    "%d/%b/%y %I:%M %p",
    "%d/%b/%Y %I:%M %p",
    "%d/%b/%y %H:%M",
    "%d/%b/%y",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d",
)


def _aliases() -> dict[str, str]:
    return {normalise_header(alias): english for english, names in HEADER_VOCABULARY.items() for alias in names}


ALIASES = _aliases()


def english_header(name: str) -> str:
    """A Jira column name in English: vocabulary names mapped, localised custom-field prefixes unified."""
    stripped = name.strip()
    for prefix in CUSTOM_FIELD_PREFIXES:
        if stripped.startswith(prefix):
            return "Custom field (" + stripped[len(prefix) :]
    return ALIASES.get(normalise_header(stripped), stripped)


def matches(header: list[str]) -> bool:
    """A Jira export has an issue key column and a summary (in some language), and no ServiceNow `number`."""
    names = {english_header(h) for h in header}
    return "Issue key" in names and "Summary" in names and ("Issue Type" in names or "Status" in names)


# Jira's own dates (`15/Apr/26 11:59 PM`, month names in the exporting user's language); the numeric dates of an
# export re-saved by Excel are read beside them by the shared reader.
DATES = DateDialect(own_formats=DATETIME_FORMATS, prepare=lambda text: translate_month_names(text, MONTHS))


def parse_jira_datetimes(
    table: RawTable,
    names: tuple[str, ...],
    display_name: str,
    date_order: str | None = None,
    setting: str = "jira.date_order",
) -> ToolDatetimes:
    """The date columns `names` (English header names) of a Jira export, read together: a column whose numeric
    dates cannot tell day-month-year from month-day-year takes the order another settled, else `date_order`
    (`setting` names it in the finding when neither is there; a service desk export is `incidents.date_order`)."""
    columns = {name: table.column(name) for name in names}
    return parse_tool_datetimes(columns, DATES, date_order, setting, display_name)


def _vocabulary(values: pd.Series | None, mapping: dict[str, str]) -> pd.Series | None:
    if values is None:
        return None
    lowered = values.str.lower()
    return lowered.map(mapping).fillna(values).replace("", None)


def parse_jira(
    table: RawTable, display_name: str, story_points_fields: list[str], date_order: str | None = None
) -> LoadBatch:
    """Canonical `work_items` rows from a Jira export already read as strings."""
    english = dataclasses.replace(table, header=[english_header(h) for h in table.header])
    batch = LoadBatch(source_file=display_name, file_format=FILE_FORMAT, source="jira")
    keys = english.column("Issue key")
    if keys is None:
        raise SourceFormatError(f"{display_name}: no issue key column (expected 'Issue key' or 'Key')")
    frame = pd.DataFrame(index=english.frame.index)
    frame["source_row"] = english.source_row
    frame["item_key"] = keys.str.strip()
    issue_ids = english.column("Issue id")
    # The id survives a move to another project (the key does not). A "current fields" export without the column
    # leaves it empty: staging gives such a row the id its key has in any snapshot, so an export with the column
    # and one without count each issue once (filling the key in here made two items of every issue).
    frame["item_id"] = issue_ids.str.strip().replace("", None) if issue_ids is not None else None
    project = english.column("Project key")
    frame["plan_key"] = project if project is not None else frame["item_key"].str.extract(r"^([^-]+)-", expand=False)
    frame["item_type"] = _vocabulary(english.column("Issue Type"), ISSUE_TYPES)
    for target, name in [
        ("summary", "Summary"),
        ("status", "Status"),
        ("priority", "Priority"),
        ("assignee", "Assignee"),
    ]:
        column = english.column(name)
        frame[target] = column.replace("", None) if column is not None else None
    # A "current fields" export may leave Status Category out (or a cell empty): the default workflow's statuses
    # (To Do, In Progress, Done, in the languages above) are their own categories; any other status is quarantined
    # below, since the issue would otherwise count as not done, silently (EV 0 for a finished project).
    category = _vocabulary(english.column("Status Category"), STATUS_CATEGORIES)
    by_status = _vocabulary(english.column("Status"), STATUS_CATEGORIES)
    if by_status is not None:
        by_status = by_status.where(by_status.isin(list(set(STATUS_CATEGORIES.values()))))
        category = by_status if category is None else category.where(category.notna(), by_status)
    frame["status_category"] = category
    frame["resolution"] = _vocabulary(english.column("Resolution"), RESOLUTIONS)
    parent = english.column("Parent key")
    if parent is None or (parent == "").all():
        parent = english.column("Parent")
    frame["parent_key"] = parent.replace("", None) if parent is not None else None
    labels = english.joined("Labels")
    frame["labels"] = labels.replace("", None) if labels is not None else None
    sprints = english.joined("Sprint")
    # an item carried over sits in several sprints; the last one is where it is now
    frame["sprint"] = sprints.str.replace(r"^.*;", "", regex=True).replace("", None) if sprints is not None else None
    frame["area_path"] = None

    problems = pd.Series("", index=frame.index)
    # A status category in a language steerpack cannot translate would count the item as not done (or break
    # the EV): the row is quarantined, and an export in such a language is mostly quarantined, which blocks its
    # month with that reason (DESIGN 4a) instead of publishing wrong progress.
    category = frame["status_category"]
    if category is not None:
        unknown = category.notna() & ~category.isin(list(set(STATUS_CATEGORIES.values())))
        problems = add_problem(
            problems,
            unknown,
            "Status Category",
            english.column("Status Category"),
            "is not a status category steerpack knows (To Do, In Progress, Done, in English, "
            "German, Spanish or French)",
        )
    points = pd.Series(np.nan, index=frame.index)
    wanted = [english_header(f) for f in story_points_fields]
    for field_name in wanted:
        for position in english.positions(field_name):
            values, bad = parse_numbers(english.frame[position])
            problems = add_problem(problems, bad, field_name, english.frame[position], "is not a number")
            problems = add_problem(problems, values < 0, field_name, english.frame[position], "is negative")
            points = points.fillna(values)
    frame["story_points"] = points

    dates = parse_jira_datetimes(english, ("Created", "Resolved", "Due date"), display_name, date_order)
    for target, name in [("created_at", "Created"), ("resolved_at", "Resolved"), ("due", "Due date")]:
        frame[target] = dates.values(name, frame.index)
    problems = dates.add_problems(problems, "is not a date")
    batch.notes.extend(dates.notes)
    frame["due_date"] = frame.pop("due").dt.normalize()
    problems = require(problems, frame["item_key"], "Issue key")
    unknowable = frame["status_category"].isna()
    problems = problems.where(
        ~unknowable,
        problems + "Status Category: none given, and the status is not one of To Do, In Progress, Done (add the "
        "Status Category field to the export); ",
    )
    split_rows(batch, english, frame, problems, "work_items")
    return batch
