"""Content hashes: the same content however written hashes the same; any change does not."""

from __future__ import annotations

import copy
import random
from decimal import Decimal
from typing import Any

from ledgerlink.documents import content_hash
from ledgerlink.documents.hashing import canonical_json, normal_decimal
from ledgerlink.kinds import validate_document
from tests.engine.documents.factories import invoice_data, random_invoice


def _respell(value: Any, rng: random.Random) -> Any:
    """The same content written differently: key order, trailing zeros, exponents, numbers."""
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {k: _respell(v, rng) for k, v in items}
    if isinstance(value, list):
        return [_respell(v, rng) for v in value]
    if isinstance(value, str):
        try:
            number = Decimal(value)
        except ArithmeticError:
            return value
        choice = rng.randrange(3)
        if choice == 0 and number == number.to_integral_value():
            return f"{number.normalize():E}"  # 1E+1
        if choice == 1:
            return f"{number:f}" + ("0" if "." in f"{number:f}" else ".00")
        return number
    return value


def test_ten_and_ten_point_zero_zero_hash_the_same() -> None:
    a = validate_document("invoice", invoice_data())
    b = validate_document(
        "invoice",
        invoice_data(
            lines=[
                {"description": "Design", "quantity": "2.000", "unit_amount": "150"},
                {"description": "Printing", "quantity": 1, "unit_amount": "80.5000"},
            ]
        ),
    )
    assert content_hash(a) == content_hash(b)
    assert [normal_decimal(Decimal(x)) for x in ("10", "10.00", "1E+1", "-0.0", "0.50")] == [
        "10",
        "10",
        "10",
        "0",
        "0.5",
    ]


def test_defaults_spelled_out_or_left_out_hash_the_same() -> None:
    plain = validate_document("invoice", invoice_data())
    spelled = validate_document(
        "invoice", invoice_data(amounts_are="exclusive", currency=None, url=None)
    )
    assert content_hash(plain) == content_hash(spelled)
    assert len(content_hash(plain)) == 64


def test_hash_of_model_and_of_its_dump_agree() -> None:
    doc = validate_document("invoice", invoice_data())
    assert content_hash(doc) == content_hash(doc.model_dump())
    assert '"unit_amount":"80.5"' in canonical_json(doc)


def test_generated_documents_respelled_hash_the_same_and_changes_do_not() -> None:
    rng = random.Random(20260301)
    seen = set()
    for index in range(300):
        data = random_invoice(rng, index)
        original = content_hash(validate_document("invoice", data))
        assert original not in seen
        seen.add(original)
        respelled = _respell(copy.deepcopy(data), rng)
        assert content_hash(validate_document("invoice", respelled)) == original
        changed = copy.deepcopy(data)
        line = rng.choice(changed["lines"])
        field = rng.choice(["unit_amount", "quantity", "description", "order"])
        if field == "unit_amount":
            line["unit_amount"] = str(Decimal(line["unit_amount"]) + Decimal("0.01"))
        elif field == "quantity":
            line["quantity"] = str(Decimal(line["quantity"]) + 1)
        elif field == "description":
            line["description"] += "!"
        else:
            changed["lines"].append(copy.deepcopy(changed["lines"][0]))
        assert content_hash(validate_document("invoice", changed)) != original
