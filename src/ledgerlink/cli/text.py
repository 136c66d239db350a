"""Text from outside (documents, Xero's answers, names people typed) made safe to print.

A terminal obeys control characters: an ESC sequence in an error message or a source id can
clear an operator's screen, hide text or retitle the window, and rich would read ``[bold]`` in
it as markup (``[/]`` alone even stops the command). Such text is shown as what it is instead:
each control character as an escape a person can read (ESC as ``\\x1b``), inside a rich Text,
which is never read as markup.
"""

from __future__ import annotations

import re

from rich.markup import escape
from rich.text import Text

# C0 (but tab and newline) and C1 controls, DEL, and the invisible marks that reorder or hide
# what follows them (bidirectional overrides and isolates, line and paragraph separators).
_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


def _shown(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(value: object) -> str:
    """``value`` as text with every control character written out as an escape."""
    return _CONTROL.sub(_shown, "" if value is None else str(value))


def plain(value: object) -> Text:
    """A table cell or line from outside: control characters escaped, no markup read."""
    return Text(visible(value))


def quoted(value: object) -> str:
    """For an f-string that is printed as markup: escaped, and its brackets kept literal."""
    return escape(visible(value))
