"""UI texts of this slice, zh and en; merged into ``wangan.web.i18n.MESSAGES``."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {}
