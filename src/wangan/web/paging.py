"""Page numbers for the list pages."""

from __future__ import annotations

from dataclasses import dataclass, replace

from wangan.kernel.numbers import whole_number


@dataclass(frozen=True)
class Pager:
    page: int
    size: int
    total: int = 0

    @classmethod
    def of(cls, raw: str, size: int) -> Pager:
        """A page number from the query string; anything odd means the first page."""
        parsed = whole_number(raw)
        number = parsed if parsed is not None and 0 < parsed < 100_000 else 1
        return cls(page=number, size=size)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def with_total(self, total: int) -> Pager:
        return replace(self, total=total)
