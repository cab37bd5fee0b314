"""`pack.page_size` and `pack.docs_url` reach every document publish_month writes (pipelines.core.packs.PackOptions)."""

import datetime as dt
import subprocess

import pytest

from pipelines.config import parse_settings
from pipelines.core import packs
from reports.data import PackData
from tests.unit.test_render import PROJECT

MONTH = dt.date(2026, 10, 1)


def pack_data() -> PackData:
    return PackData(month=MONTH, as_of=dt.date(2026, 10, 31), projects=[PROJECT])


def page_size_points(pdf) -> tuple[float, float]:
    """The first page's size in points, as poppler reads it (`Page size: 841.89 x 595.28 pts (A4)`)."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    line = next(line for line in info.splitlines() if line.startswith("Page size:"))
    width, _, height = line.split(":", 1)[1].split()[:3]
    return round(float(width)), round(float(height))


@pytest.mark.parametrize(("page_size", "points"), [("A4", (842, 595)), ("Letter", (792, 612))])
def test_the_pack_prints_on_the_configured_paper_landscape(tmp_path, page_size, points):
    # A4 is 297 x 210 mm = 842 x 595 pt; US Letter 11 x 8.5 in = 792 x 612 pt (72 pt to the inch), both landscape
    options = packs.PackOptions.of(parse_settings({"pack": {"page_size": page_size}}))
    pdf = packs.write_pack_pdf(pack_data(), tmp_path, options)
    assert page_size_points(pdf) == points


def test_the_kpi_links_point_at_the_docs_beside_the_packs_or_at_the_configured_address(tmp_path):
    html = packs.write_pack(pack_data(), tmp_path, with_pdf=False).read_text(encoding="utf-8")
    # output/packs/2026-10/steering-pack-2026-10.html -> output/dbt-docs/index.html
    assert 'href="../../dbt-docs/index.html#!/model/model.steerpack.fct_project_month"' in html
    served = packs.PackOptions(docs_url="https://pmo.example.com/docs/")
    html = packs.write_pack(pack_data(), tmp_path, with_pdf=False, options=served).read_text(encoding="utf-8")
    assert 'href="https://pmo.example.com/docs/#!/model/model.steerpack.fct_project_month"' in html
    assert "../../dbt-docs" not in html
    # a scoped pack lies two folders deeper (packs/2026-10/scoped/<scope>/)
    assert packs.DEFAULT_OPTIONS.docs_base(packs.SCOPED_PACK_DEPTH) == "../../../../dbt-docs/index.html"
