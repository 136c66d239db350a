"""``ledgerlink push`` on files it cannot read: a clear sentence and exit code 2, never a
traceback, and nothing sent (the API address here answers nothing)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

LEDGERLINK = [sys.executable, "-m", "ledgerlink.cli"]
NOWHERE = "http://127.0.0.1:9"  # the discard port: nothing listens, nothing may be sent
HEADER = "source_id,contact_key,contact_name,issue_date,due_date,description,unit_amount\n"
ROW = "inv-1,c-1,Café Crème – Nørrebro,2026-03-02,2026-04-01,Espresso ‘large’,4.50\n"


def push(path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, COLUMNS="200")
    return subprocess.run(
        [*LEDGERLINK, "push", str(path), "--api", NOWHERE, "--key", "ll_x", *extra],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def test_a_windows_1252_csv_is_refused_naming_the_encoding(tmp_path: Path) -> None:
    path = tmp_path / "invoices.csv"
    path.write_bytes((HEADER + ROW).encode("cp1252"))
    result = push(path)
    said = result.stdout + result.stderr
    assert result.returncode == 2, said
    assert "Traceback" not in said and "UnicodeDecodeError" not in said
    assert "invoices.csv" in said and "UTF-8" in said
    assert "Windows-1252" in said  # what it most likely is
    assert "line 2" in said  # where the first byte that is not UTF-8 is
    assert "iconv -f WINDOWS-1252 -t UTF-8" in said  # how to convert it
    assert "CSV UTF-8" in said  # or how to save it from a spreadsheet


def test_the_same_file_in_utf8_is_read(tmp_path: Path) -> None:
    """The converted file goes further: to the (absent) engine, which is then the problem."""
    path = tmp_path / "invoices.csv"
    path.write_text(HEADER + ROW, encoding="utf-8")
    result = push(path)
    said = result.stdout + result.stderr
    assert result.returncode == 2 and "Traceback" not in said
    assert "UTF-8" not in said and "Push stopped at document 1" in said


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "docs.json",
            '[{"source_id": "x", "contact": {"name": "Caf\xe9"}}]'.encode("cp1252"),
            "UTF-8",
        ),
        ("unicode.csv", (HEADER + ROW).encode("utf-16"), "UTF-16"),
        ("nul.csv", (HEADER + "inv-1\x00,c,d,2026-03-02,2026-04-01,x,1\n").encode(), "NUL"),
    ],
)
def test_other_unreadable_files_get_a_sentence(
    tmp_path: Path, name: str, content: bytes, expected: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = push(path)
    said = result.stdout + result.stderr
    assert result.returncode == 2, said
    assert "Traceback" not in said and f"Cannot read {path}" in said.replace("\n", "")
    assert expected in said
    assert "Push stopped" not in said  # nothing was sent


def test_refusals_are_shown_without_obeying_their_text() -> None:
    """The file's source ids and the engine's messages (which quote them) are outside text."""
    from io import StringIO

    from rich.console import Console

    from ledgerlink.cli.push import _table

    results = [
        {
            "index": 0,
            "source_id": "INV\x1b[2J[/]1",
            "status": "invalid",
            "errors": [
                {"code": "VALIDATION_FAILED", "field": "lines", "message": "x \x1b]0;owned\x07"}
            ],
        }
    ]
    out = StringIO()
    Console(file=out, width=200, color_system=None).print(_table(results))
    shown = out.getvalue()
    assert "\x1b" not in shown and "\x07" not in shown
    assert "INV\\x1b[2J[/]1" in shown and "\\x1b]0;owned\\x07" in shown
