"""A recipient's scope on the Distribution sheet: `portfolio` (everything) or the project ids they may see."""

from __future__ import annotations

PORTFOLIO_SCOPE = "portfolio"


def scope_project_ids(scope: str) -> frozenset[str] | None:
    """`portfolio` -> None (everything); `P1; P2` -> {"P1", "P2"}."""
    if scope.strip().lower() == PORTFOLIO_SCOPE:
        return None
    return frozenset(part.strip() for part in scope.split(";") if part.strip())


def scope_label(project_ids: frozenset[str] | None) -> str:
    return PORTFOLIO_SCOPE if project_ids is None else ", ".join(sorted(project_ids))
