"""CLI commands (placeholder module, filled by its slice)."""

from __future__ import annotations

from wangan.cli.indicators_app import consultations_app, indicators_app

__all__ = ["consultations_app", "indicators_app"]
