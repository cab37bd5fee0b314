"""Writers that produce files the way the PM tools export them, quirks included, for the demo and the benchmark.

One module per tool, mirroring `pipelines/sources/` (whose parsers read what these write): `jira`, `azure_devops`,
`ms_project`, `smartsheet`, `finance` (generic AP CSV, SAP CJI3, FX rates) and `incidents` (ServiceNow,
PagerDuty, Jira Service Management). `rows` holds the plain rows the plan writers take (`Task`, `WorkItem`);
`SpendLine` and `Incident` live with their writers. Each writer takes rows and writes one export.

May import: the standard library and openpyxl; nothing of `pipelines` outside `pipelines.synthetic.exports`.
"""

from pipelines.synthetic.exports.azure_devops import write_azure_devops_csv
from pipelines.synthetic.exports.finance import (
    SpendLine,
    write_fx_rates_csv,
    write_generic_spend_csv,
    write_sap_cji3_csv,
)
from pipelines.synthetic.exports.incidents import Incident, write_jsm_csv, write_pagerduty_csv, write_servicenow_csv
from pipelines.synthetic.exports.jira import write_jira_csv
from pipelines.synthetic.exports.ms_project import write_mspdi
from pipelines.synthetic.exports.rows import Task, WorkItem
from pipelines.synthetic.exports.smartsheet import write_smartsheet_xlsx

__all__ = [
    "Incident",
    "SpendLine",
    "Task",
    "WorkItem",
    "write_azure_devops_csv",
    "write_fx_rates_csv",
    "write_generic_spend_csv",
    "write_jira_csv",
    "write_jsm_csv",
    "write_mspdi",
    "write_pagerduty_csv",
    "write_sap_cji3_csv",
    "write_servicenow_csv",
    "write_smartsheet_xlsx",
]
