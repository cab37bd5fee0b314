"""Text from the inbox shown to a person (DESIGN §4a): `printable` and `printable_lines` live in `reports/text.py`,
on the ground floor, so that the pack's mail (reports/email.py) escapes exactly as the CLI, the findings and the
inbox do; the pipeline imports them from here."""

from reports.text import BIDI_CONTROLS, printable, printable_lines

__all__ = ["BIDI_CONTROLS", "printable", "printable_lines"]
