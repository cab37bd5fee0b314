"""steerpack: monthly IT-portfolio steering packs from the PMO's tool exports."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
