"""The steering pack's documents: jinja2 templates and CSS, and the builders that read the marts and return the
pack's HTML (render.py), PDF bytes, workbook bytes (workbook.py), charts (charts.py) and mail (email.py).

`reports/` builds documents and nothing else: it returns strings and bytes and writes no file (where a pack is
written, staged and published is `pipelines/core/packs.py`). It imports nothing of `pipelines` (an import-linter
contract): only the standard library, duckdb, jinja2/markupsafe, openpyxl, matplotlib and WeasyPrint.
"""

from pathlib import Path

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
