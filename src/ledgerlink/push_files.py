"""Reading documents from a file for ``ledgerlink push``: a JSON list, or a CSV with one row per
line, rows of one document sharing its source_id.

CSV is what people export from spreadsheets, so its columns are flat: the document's fields on
every row (only the first row's are read), ``contact_*`` / ``supplier_*`` for the contact, and
the line's fields. Values stay text; intake validates them and names the field if one is wrong,
exactly as it would for JSON.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec

LINE_FIELDS = (
    "description",
    "quantity",
    "unit_amount",
    "account_code",
    "tax_type",
    "item_code",
    "discount_rate",
)
CONTACT_FIELDS = ("key", "name", "email", "contact_number", "xero_contact_id")
DOCUMENT_FIELDS = {
    "invoice": (
        "source_id",
        "number",
        "issue_date",
        "due_date",
        "status",
        "reference",
        "currency",
        "amounts_are",
        "url",
    ),
    "expense": (
        "source_id",
        "number",
        "date",
        "due_date",
        "status",
        "reference",
        "currency",
        "amounts_are",
        "url",
    ),
}
CONTACT_PREFIX = {"invoice": "contact", "expense": "supplier"}
_DECODER = msgspec.json.Decoder(float_hook=Decimal)


class FileProblem(ValueError):
    """The file cannot be read as documents at all (not one document's problem)."""


def _present(row: dict[str, str | None], name: str) -> str | None:
    value = row.get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def documents_from_csv(text: str, kind: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "source_id" not in reader.fieldnames:
        raise FileProblem("the CSV needs a header row with a source_id column")
    prefix = CONTACT_PREFIX[kind]
    documents: dict[str, dict[str, Any]] = {}
    for number, row in enumerate(reader, start=2):
        source_id = _present(row, "source_id")
        if source_id is None:
            raise FileProblem(f"row {number} has no source_id")
        document = documents.get(source_id)
        if document is None:
            document = {f: v for f in DOCUMENT_FIELDS[kind] if (v := _present(row, f))}
            contact = {f: v for f in CONTACT_FIELDS if (v := _present(row, f"{prefix}_{f}"))}
            if contact:
                document[prefix] = contact
            document["lines"] = []
            documents[source_id] = document
        line = {f: v for f in LINE_FIELDS if (v := _present(row, f))}
        if line:
            document["lines"].append(line)
    return list(documents.values())


def read_documents(path: Path, kind: str) -> list[Any]:
    """The documents in ``path`` (``.csv`` by its suffix, else JSON), in file order."""
    if kind not in DOCUMENT_FIELDS:
        raise FileProblem(f"kind must be invoice or expense (got {kind!r})")
    raw = path.read_bytes()
    if path.suffix.lower() == ".csv":
        return documents_from_csv(raw.decode("utf-8-sig"), kind)
    try:
        data = _DECODER.decode(raw)
    except msgspec.DecodeError as exc:
        raise FileProblem(f"{path.name} is not valid JSON ({exc})") from None
    if isinstance(data, dict) and isinstance(data.get("documents"), list):
        data = data["documents"]
    if not isinstance(data, list):
        raise FileProblem(f"{path.name} must hold a JSON list of documents")
    return data
