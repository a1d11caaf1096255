"""What every import of the monitor shares: the batch record, the result handed back to adapters, and
telling an observations file from an enterprise register or investment figures by its columns."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from sqlalchemy.orm import Session

from wangan.db import utcnow
from wangan.errors import FieldProblem, Invalid
from wangan.indicators.models import ImportBatch
from wangan.kernel.auth import Principal

ImportKind = Literal["observations", "enterprises", "investments"]
IMPORT_KINDS: tuple[ImportKind, ...] = ("observations", "enterprises", "investments")

# A column that only one kind of file has, in any of the spellings the importers accept.
_MARKERS: dict[ImportKind, frozenset[str]] = {
    "enterprises": frozenset({"credit_code", "统一社会信用代码", "信用代码", "uscc"}),
    "investments": frozenset({"it_investment", "信息化投入", "security_investment", "网络安全投入"}),
    "observations": frozenset({"indicator", "指标", "series", "序列", "indicator_id", "series_id"}),
}


@dataclass(frozen=True)
class ImportResult:
    """What an import did: the batch it recorded and how many rows it created or updated."""

    batch_id: uuid.UUID
    kind: ImportKind
    filename: str
    rows: int
    created: int
    updated: int = 0
    warnings: tuple[str, ...] = field(default_factory=tuple)


def detect_kind(headers: Iterable[str]) -> ImportKind:
    """The kind of file, from its header row; a file that fits none (or several) is refused plainly."""
    names = {h.strip().lower() for h in headers}
    found = [kind for kind, markers in _MARKERS.items() if names & markers]
    if len(found) == 1:
        return found[0]
    if not found:
        raise Invalid("cannot tell what this file holds: an observations file has an 'indicator' and a 'series' "
                      "column, an enterprise register a 'credit_code' column, investment figures "
                      "'it_investment' and 'security_investment'",
                      problems=[FieldProblem("file", "no indicator, credit_code or it_investment column")])
    raise Invalid(f"the file has columns of several kinds ({', '.join(found)}); import one kind per file",
                  problems=[FieldProblem("file", "columns of several kinds")])


def new_batch(session: Session, principal: Principal, kind: ImportKind, filename: str, data: bytes, rows: int,
              *, now: datetime | None = None) -> ImportBatch:
    """Record the import; the rows it creates point back to it."""
    batch = ImportBatch(kind=kind, filename=filename[:255] or "upload", sha256=hashlib.sha256(data).hexdigest(),
                        rows=rows, imported_by=principal.user_id, imported_at=now or utcnow())
    session.add(batch)
    session.flush()
    return batch
