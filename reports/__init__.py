"""The steering pack: jinja2 templates, CSS, and the builders that read the marts and render them."""

from pathlib import Path

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
