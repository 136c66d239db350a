"""``ledgerlink push`` reads every kind's CSV from the kind's own schema: its fields, nested
objects as ``<field>_<name>`` columns, lines when it has them; each document it reads is one the
kind's validation accepts."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledgerlink import kinds
from ledgerlink.cli.files import FileProblem, columns, read_documents

PO = (
    "source_id,supplier_key,supplier_name,date,status,description,quantity,unit_amount\n"
    "po-1,s-1,Timber Co,2026-03-03,approved,Pine,4,20.00\n"
    "po-1,s-1,Timber Co,2026-03-03,approved,Freight,1,35.00\n"
    "po-2,s-2,Steel Ltd,2026-03-04,draft,Beams,2,110.00\n"
)
PAYMENTS = (
    "source_id,document_kind,document_source_id,amount,date,account_code,reference\n"
    "pay-1,invoice,inv-1,100.00,2026-03-15,090,Deposit\n"
    "pay-2,invoice,inv-2,25.50,2026-03-16,,\n"
)


def test_every_kind_has_csv_columns_from_its_schema() -> None:
    for kind in kinds.all_kinds():
        shape = columns(kind.name)
        assert "source_id" in shape.document, kind.name
        assert bool(shape.lines) == kind.has_lines, kind.name
    assert columns("payment").nested == {"document": ("kind", "source_id")}
    assert "supplier" in columns("purchase_order").nested


@pytest.mark.parametrize(
    ("kind", "text", "count"), [("purchase_order", PO, 2), ("payment", PAYMENTS, 2)]
)
def test_a_kind_s_csv_reads_as_documents_it_accepts(
    tmp_path: Path, kind: str, text: str, count: int
) -> None:
    path = tmp_path / f"{kind}.csv"
    path.write_text(text, encoding="utf-8")
    documents = read_documents(path, kind)
    assert len(documents) == count
    for document in documents:
        kinds.validate_document(kind, document)
    if kind == "purchase_order":
        assert [len(d["lines"]) for d in documents] == [2, 1]
    else:
        assert documents[0]["document"] == {"kind": "invoice", "source_id": "inv-1"}
        assert "account_code" not in documents[1]


def test_an_unknown_kind_names_the_kinds_there_are(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text(PO, encoding="utf-8")
    with pytest.raises(FileProblem) as found:
        read_documents(path, "paper")
    assert "purchase_order" in str(found.value) and "payment" in str(found.value)
