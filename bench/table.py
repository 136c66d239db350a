"""How ``bench/run.py`` prints: one table (rows are figures, columns the engine and the two
baselines) and the many-organisations lines under it. A figure a column has no meaning for is
a dash; a figure that could not be measured says why instead of leaving a hole."""

from __future__ import annotations

from dataclasses import dataclass, field

COLUMNS = ("ledgerlink", "one by one", "batches of 30")
DASH = "-"


@dataclass
class Table:
    title: str
    rows: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, label: str, *cells: str) -> None:
        """A row; cells missing at the end are dashes (the baselines' where only the engine
        has the figure)."""
        padded = tuple(cells) + (DASH,) * (len(COLUMNS) - len(cells))
        self.rows.append((label, padded))

    def render(self) -> str:
        label_width = max([len(r[0]) for r in self.rows] + [10])
        widths = [max([len(c)] + [len(r[1][i]) for r in self.rows]) for i, c in enumerate(COLUMNS)]
        lines = [self.title, ""]
        head = " ".join(c.rjust(w) for c, w in zip(COLUMNS, widths, strict=True))
        lines.append(f"{'':<{label_width}}  {head}")
        for label, cells in self.rows:
            body = " ".join(c.rjust(w) for c, w in zip(cells, widths, strict=True))
            lines.append(f"{label:<{label_width}}  {body}")
        if self.notes:
            lines.append("")
            lines.extend(self.notes)
        return "\n".join(lines)


def number(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}"


def share(value: float) -> str:
    return f"{value * 100:.0f}%"
