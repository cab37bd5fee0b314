"""The demo: a realistic portfolio of 13 projects over 18 monthly drops, written as a PMO's inbox, seeded so
that two runs write the same bytes (xlsx timestamps aside).

Split along the sources' lines: `portfolio` (the projects, the months and the story they tell), `register` (the
register workbook), `plans` (each project's plan export), `finance` (the finance drop), `incidents` (the
operations tools' exports) and `inbox` (the driver that writes every month's drop).

May import: `pipelines.synthetic.exports` (the writers), `pipelines.sources.register` (the register's sheets),
`pipelines.partitions` (`months_between`), the standard library and openpyxl; not the wiring (assets, jobs,
resources, definitions), `run/` or `core/`. Within the package, the generators import `portfolio`, and only
`inbox` imports the generators. The bench's generator (`pipelines.synthetic.bench_portfolio`) reuses the register
and the schedules.
"""

from pipelines.synthetic.demo.inbox import DEMO_MARKER, write_demo_inbox
from pipelines.synthetic.demo.portfolio import PROJECTS, demo_months
from pipelines.synthetic.demo.register import register_rows

__all__ = ["DEMO_MARKER", "PROJECTS", "demo_months", "register_rows", "write_demo_inbox"]
