"""The demo's portfolio: its 13 projects, the months it spans, and the story those projects tell.

The story (so the packs have something to say): CRM Cloud overspends, HR Portal's go-live slips,
the Data Platform reports Green while its numbers are Red, the Mobile App goes live and then has incidents,
the Warehouse system approaches go-live without its benefits ready, Payments joins the portfolio mid-way,
and the Website replatform finishes. The register, plans, finance and incidents generators all read it here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pipelines.partitions import months_between

DEMO_FIRST_MONTH = dt.date(2025, 5, 1)
DEMO_LAST_MONTH = dt.date(2026, 10, 1)


@dataclass(frozen=True, kw_only=True)
class DemoProject:
    project_id: str
    name: str
    tier: int
    plan_source: str
    plan_key: str
    bac: float
    currency: str
    start: dt.date
    finish: dt.date
    go_live: dt.date
    sponsor: str
    manager: str
    services: str
    slip_days: int = 0  # how far the final forecast drifts past the baseline by the end of the demo
    reported: tuple[tuple[dt.date, str], ...] = ((dt.date(2000, 1, 1), "Green"),)
    benefits_ready: bool = True
    joins: dt.date | None = None  # first month the project appears in the register
    efficiency: float = 1.0  # how much of the planned progress the team actually earns
    cost_factor: float = 0.98  # actual spend over planned spend

    def status_in(self, month: dt.date) -> str:
        status = "Green"
        for since, value in self.reported:
            if month >= since:
                status = value
        return status

    def finance_code(self) -> str:
        return f"WBS-{self.project_id}"


D = dt.date
PROJECTS: list[DemoProject] = [
    DemoProject(
        project_id="CRM",
        name="CRM Cloud Migration",
        tier=1,
        plan_source="ms_project",
        plan_key="crm_cloud",
        bac=2_400_000,
        currency="USD",
        start=D(2025, 3, 3),
        finish=D(2026, 9, 30),
        go_live=D(2026, 8, 17),
        sponsor="Dana Whitfield",
        manager="Marco Ruiz",
        services="Salesforce CRM",
        slip_days=18,
        reported=((D(2000, 1, 1), "Green"), (D(2026, 2, 1), "Amber"), (D(2026, 6, 1), "Red")),
        efficiency=0.95,
        cost_factor=1.22,
    ),
    DemoProject(
        project_id="HRP",
        name="HR Self-Service Portal",
        tier=2,
        plan_source="jira",
        plan_key="HRP",
        bac=850_000,
        currency="USD",
        start=D(2025, 6, 2),
        finish=D(2026, 7, 31),
        go_live=D(2026, 7, 1),
        sponsor="Priya Natarajan",
        manager="Tom Becker",
        services="Workday HR",
        slip_days=21,
        reported=((D(2000, 1, 1), "Green"), (D(2026, 4, 1), "Amber")),
        efficiency=0.85,
    ),
    DemoProject(
        project_id="ERP",
        name="ERP Upgrade to S/4HANA",
        tier=1,
        plan_source="smartsheet",
        plan_key="erp_s4_upgrade",
        bac=3_100_000,
        currency="EUR",
        start=D(2025, 1, 6),
        finish=D(2026, 12, 18),
        go_live=D(2026, 11, 30),
        sponsor="Klaus Meyer",
        manager="Ines Duarte",
        services="SAP ERP",
        slip_days=9,
        reported=((D(2000, 1, 1), "Amber"),),
    ),
    DemoProject(
        project_id="EDP",
        name="Enterprise Data Platform",
        tier=1,
        plan_source="azure_devops",
        plan_key="Contoso\\DataPlatform",
        bac=1_900_000,
        currency="USD",
        start=D(2025, 4, 1),
        finish=D(2026, 10, 30),
        go_live=D(2026, 10, 1),
        sponsor="Helen Park",
        manager="Sam Okafor",
        services="Data Platform",
        slip_days=75,
        reported=((D(2000, 1, 1), "Green"),),
        efficiency=0.7,
        cost_factor=1.1,
    ),
    DemoProject(
        project_id="MOB",
        name="Customer Mobile App v3",
        tier=2,
        plan_source="jira",
        plan_key="MOB",
        bac=640_000,
        currency="USD",
        start=D(2025, 2, 3),
        finish=D(2026, 6, 30),
        go_live=D(2026, 6, 1),
        sponsor="Dana Whitfield",
        manager="Lea Hoffmann",
        services="Mobile App; Mobile API Gateway",
        slip_days=0,
    ),
    DemoProject(
        project_id="NET",
        name="Campus Network Refresh",
        tier=3,
        plan_source="ms_project",
        plan_key="network_refresh",
        bac=420_000,
        currency="USD",
        start=D(2025, 5, 5),
        finish=D(2026, 5, 29),
        go_live=D(2026, 5, 29),
        sponsor="Robert Chen",
        manager="Aisha Bello",
        services="Campus Network",
    ),
    DemoProject(
        project_id="IAM",
        name="Identity and Access Management",
        tier=1,
        plan_source="azure_devops",
        plan_key="Contoso\\Security\\IAM",
        bac=1_250_000,
        currency="USD",
        start=D(2025, 1, 13),
        finish=D(2026, 3, 31),
        go_live=D(2026, 3, 2),
        sponsor="Helen Park",
        manager="Jonas Lind",
        services="Okta SSO",
    ),
    DemoProject(
        project_id="DMS",
        name="Document Management",
        tier=3,
        plan_source="smartsheet",
        plan_key="document_management",
        bac=300_000,
        currency="GBP",
        start=D(2025, 7, 1),
        finish=D(2026, 8, 28),
        go_live=D(2026, 8, 3),
        sponsor="Robert Chen",
        manager="Chloe Martin",
        services="SharePoint DMS",
        slip_days=6,
    ),
    DemoProject(
        project_id="BID",
        name="Finance BI Dashboards",
        tier=3,
        plan_source="jira",
        plan_key="BID",
        bac=180_000,
        currency="USD",
        start=D(2025, 9, 1),
        finish=D(2026, 4, 30),
        go_live=D(2026, 4, 30),
        sponsor="Klaus Meyer",
        manager="Nina Petrova",
        services="Power BI Finance",
    ),
    DemoProject(
        project_id="WMS",
        name="Warehouse Management System",
        tier=2,
        plan_source="ms_project",
        plan_key="wms_rollout",
        bac=1_100_000,
        currency="USD",
        start=D(2025, 5, 12),
        finish=D(2026, 12, 11),
        go_live=D(2026, 11, 16),
        sponsor="Priya Natarajan",
        manager="Owen Gallagher",
        services="Manhattan WMS",
        slip_days=4,
        benefits_ready=False,
        reported=((D(2000, 1, 1), "Green"), (D(2026, 9, 1), "Amber")),
    ),
    DemoProject(
        project_id="SOC",
        name="Security Operations Centre",
        tier=2,
        plan_source="azure_devops",
        plan_key="Contoso\\Security\\SOC",
        bac=760_000,
        currency="USD",
        start=D(2025, 8, 4),
        finish=D(2026, 11, 27),
        go_live=D(2026, 11, 2),
        sponsor="Helen Park",
        manager="Yusuf Demir",
        services="Sentinel SIEM",
        slip_days=12,
        reported=((D(2000, 1, 1), "Green"), (D(2026, 7, 1), "Amber")),
        efficiency=0.9,
    ),
    DemoProject(
        project_id="WEB",
        name="Website CMS Replatform",
        tier=3,
        plan_source="smartsheet",
        plan_key="website_cms",
        bac=260_000,
        currency="USD",
        start=D(2025, 1, 20),
        finish=D(2025, 12, 19),
        go_live=D(2025, 12, 1),
        sponsor="Robert Chen",
        manager="Chloe Martin",
        services="Corporate Website",
    ),
    DemoProject(
        project_id="PAY",
        name="Payments Gateway Modernisation",
        tier=1,
        plan_source="jira",
        plan_key="PAY",
        bac=2_000_000,
        currency="USD",
        start=D(2026, 1, 12),
        finish=D(2027, 6, 30),
        go_live=D(2027, 5, 3),
        sponsor="Dana Whitfield",
        manager="Marco Ruiz",
        services="Payments Gateway",
        joins=D(2026, 1, 1),
        reported=((D(2000, 1, 1), "Green"),),
    ),
]


def demo_months() -> list[dt.date]:
    return months_between(DEMO_FIRST_MONTH, DEMO_LAST_MONTH)


def previous_month(month: dt.date) -> dt.date:
    return (month - dt.timedelta(days=1)).replace(day=1)


def month_end(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def slip_so_far(project: DemoProject, as_of: dt.date) -> int:
    """The slip grows as the project burns its schedule, reaching `slip_days` by the demo's last month."""
    span = (month_end(DEMO_LAST_MONTH) - project.start).days or 1
    progress = min(1.0, max(0.0, (as_of - project.start).days / span))
    return round(project.slip_days * progress)


def add_days(day: dt.date, days: float) -> dt.date:
    return day + dt.timedelta(days=round(days))


# The KPI scorecard's story (DESIGN §5a), told by the register's optional sheets: most projects meet most targets,
# and these miss one on purpose (register.py plants them; tests/unit/test_demo.py checks they are there).
OVERDUE_DECISIONS = "EDP"  # the Green-reporting Data Platform: from March 2026 decisions wait 45 days, past needed_by
OVERDUE_DECISIONS_FROM = D(2026, 3, 1)
LOW_UAT = "MOB"  # the Mobile App goes live with 88% of its UAT cases run and 80% of those passed: then the incidents
ROLLBACK = "HRP"  # HR Portal cuts over on its planned 1 July, rolls back, and goes live on the slipped date
LOW_CSAT = "CRM"  # the sponsor's scores fall as the overspend grows (Amber from February 2026, Red from June)
TEAM_STRAIN = "ERP"  # the ERP team's pulse drops in the crunch before its go-live (August 2026 on)
TEAM_STRAIN_FROM = D(2026, 8, 1)
MISSING_EVIDENCE = ("DMS", "Data protection impact assessment")  # never submitted, and DMS goes live without it
NOT_READY = ("WMS", ("Support", "Training"))  # the Warehouse system's support and training items run overdue
LATE_READINESS_ITEM = ("MOB", "Runbook handed over")  # done only after go-live (readiness Near)

# Releases besides each project's go-live (its main release, "R1"): (project_id, release, go-live date).
EARLY_RELEASES = (("IAM", "R1 MFA", D(2025, 7, 7)),)
MAIN_RELEASE = {"IAM": "R2 SSO"}

# Who builds what: milestones naming a vendor feed vendor_delivery (the Data Platform's vendor is late with it).
VENDORS = {
    "CRM": "Northwind Consulting",
    "MOB": "Northwind Consulting",
    "ERP": "Fabrikam Integration",
    "WMS": "Fabrikam Integration",
    "NET": "Tailspin Networks",
    "EDP": "Adatum Data Services",
}
VENDOR_MILESTONES = ("Design approved", "Build complete")

# The PM's own words in the register (Projects.status_comment), per project and reported status.
STATUS_COMMENTS = {
    ("CRM", "Amber"): "Integration licences above plan; budget change request with the sponsor.",
    ("CRM", "Red"): "Overspend confirmed; cost and scope re-baseline at the next steering committee.",
    ("HRP", "Amber"): "Payroll interface defects hold UAT; go-live moving to mid-July.",
    ("ERP", "Amber"): "Data migration rehearsals behind plan; cutover plan under review.",
    ("WMS", "Amber"): "Benefit owners, training and support rota still to confirm before go-live.",
    ("SOC", "Amber"): "Log source onboarding slower than planned.",
}
