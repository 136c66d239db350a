"""Reading documents from a file for ``ledgerlink push``: a JSON list, or a CSV with one row per
line, rows of one document sharing its source_id.

CSV is what people export from spreadsheets, so its columns are flat and come from the kind's
schema: the document's fields on every row (only the first row's are read), ``contact_*`` /
``supplier_*`` (any nested object's fields, prefixed with its name), and the line's fields.
Values stay text; intake validates them and names the field if one is wrong, exactly as it
would for JSON.
"""

from __future__ import annotations

import csv
import io
import shlex
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, get_args, get_origin

import msgspec
from pydantic import BaseModel

from ledgerlink import kinds


@dataclass(frozen=True)
class Columns:
    """A kind's CSV columns, read from its schema: its own fields on every row (only the first
    row's are read), ``<field>_<name>`` for a nested object (``contact_name``), and a line's
    fields when the kind has lines. Lists other than lines (a credit note's allocations) need
    JSON."""

    document: tuple[str, ...]
    nested: dict[str, tuple[str, ...]]
    lines: tuple[str, ...]


def _model_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def _is_list(annotation: Any) -> bool:
    return get_origin(annotation) is list or any(_is_list(a) for a in get_args(annotation))


def _scalars(model: type[BaseModel]) -> tuple[str, ...]:
    return tuple(
        name
        for name, info in model.model_fields.items()
        if _model_of(info.annotation) is None and not _is_list(info.annotation)
    )


def columns(kind: str) -> Columns:
    spec = kinds.find(kind)
    if spec is None:
        raise FileProblem(f"kind must be one of {', '.join(kinds.names())} (got {kind!r})")
    nested: dict[str, tuple[str, ...]] = {}
    lines: tuple[str, ...] = ()
    for name, info in spec.model.model_fields.items():
        inner = _model_of(info.annotation)
        if inner is None:
            continue
        if name == "lines":
            lines = _scalars(inner)
        elif not _is_list(info.annotation):
            nested[name] = _scalars(inner)
    return Columns(_scalars(spec.model), nested, lines)


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
    shape = columns(kind)
    documents: dict[str, dict[str, Any]] = {}
    for number, row in enumerate(reader, start=2):
        source_id = _present(row, "source_id")
        if source_id is None:
            raise FileProblem(f"row {number} has no source_id")
        document = documents.get(source_id)
        if document is None:
            document = {f: v for f in shape.document if (v := _present(row, f))}
            for prefix, fields in shape.nested.items():
                inner = {f: v for f in fields if (v := _present(row, f"{prefix}_{f}"))}
                if inner:
                    document[prefix] = inner
            if shape.lines:
                document["lines"] = []
            documents[source_id] = document
        line = {f: v for f in shape.lines if (v := _present(row, f))}
        if line:
            document["lines"].append(line)
    return list(documents.values())


def _convert(name: str, encoding: str) -> str:
    converted = f"{Path(name).stem}-utf8{Path(name).suffix}"
    return f"iconv -f {encoding} -t UTF-8 {shlex.quote(name)} > {shlex.quote(converted)}"


def _not_utf8(raw: bytes, name: str, exc: UnicodeDecodeError) -> FileProblem:
    """What a person needs: that UTF-8 is expected, what the file probably is, where the first
    bad byte is, and how to convert it (spreadsheets save "CSV" in the system's code page)."""
    line = raw.count(b"\n", 0, exc.start) + 1
    lines = [f"not UTF-8 text (byte 0x{raw[exc.start]:02X} on line {line} is not UTF-8)."]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        lines.append('It looks like UTF-16 (Excel\'s "Unicode Text"). ledgerlink reads UTF-8:')
        lines.append(f"  convert it: {_convert(name, 'UTF-16')}")
    else:
        try:
            raw.decode("cp1252")
            guess, encoding = (
                'It looks like Windows-1252 (Excel\'s plain "CSV" on Windows).',
                "WINDOWS-1252",
            )
        except UnicodeDecodeError:
            guess = f"Its encoding is another (`file -i {shlex.quote(name)}` may name it)."
            encoding = "THAT-ENCODING"
        lines.append(f"{guess} ledgerlink reads UTF-8:")
        lines.append(f"  convert it: {_convert(name, encoding)}")
    lines.append('  or open it in the spreadsheet again and save it as "CSV UTF-8".')
    return FileProblem("\n".join(lines))


def _text(raw: bytes, name: str) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _not_utf8(raw, name, exc) from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise FileProblem(
            f"it holds a NUL character (byte 0) on line {line}, so it is not plain text. "
            "Save it again as CSV UTF-8 (or JSON), without binary content."
        )
    return text


def read_documents(path: Path, kind: str) -> list[Any]:
    """The documents in ``path`` (``.csv`` by its suffix, else JSON), in file order.

    Both must be UTF-8 (JSON always is); anything else is a FileProblem saying how to convert
    the file, never a traceback.
    """
    columns(kind)  # an unknown kind is the file's problem, named before it is read
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise FileProblem(f"{path.name} cannot be opened ({exc.strerror or exc})") from None
    text = _text(raw, path.name)
    if path.suffix.lower() == ".csv":
        try:
            return documents_from_csv(text, kind)
        except csv.Error as exc:
            raise FileProblem(
                f"{path.name} is not a CSV file ledgerlink can read ({exc})"
            ) from None
    try:
        data = _DECODER.decode(text)
    except msgspec.DecodeError as exc:
        raise FileProblem(f"{path.name} is not valid JSON ({exc})") from None
    if isinstance(data, dict) and isinstance(data.get("documents"), list):
        data = data["documents"]
    if not isinstance(data, list):
        raise FileProblem(f"{path.name} must hold a JSON list of documents")
    return data
