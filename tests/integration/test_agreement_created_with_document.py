"""An agreement recorded together with its signed PDF: both are kept, or neither."""

import hashlib

import pytest
from sqlalchemy import func, select

from tests.builders import CLI, in_days, make_partner, tiny_pdf
from warehouse.domain.errors import InvalidInput
from warehouse.extensions import db
from warehouse.models import Agreement, AgreementDocument, Commitment
from warehouse.services import agreements


def counts(session) -> tuple[int, int, int]:
    session.rollback()
    return tuple(session.scalar(select(func.count()).select_from(model))
                 for model in (Agreement, Commitment, AgreementDocument))


def fields(partner_id: int, **changes) -> dict:
    return {"number": "LY-XF-2026-010", "partner_id": partner_id, "valid_from": in_days(-1),
            "valid_to": in_days(364), "response_hours": 6, "status": "active",
            "commitments": [{"description": "盒饭", "quantity": "2000", "unit": "份", "period": "per_day"}],
            **changes}


def test_an_agreement_is_recorded_with_its_signed_pdf_in_one_go(app, session):
    partner_id = make_partner(app)
    content = tiny_pdf("应急保障协议")
    created = agreements.create_agreement(session, CLI, **fields(partner_id),
                                          document=("C:\\scans\\协议 签字版.PDF", content))
    agreement_id = created.id
    db.session.remove()
    document = agreements.get_document(db.session, agreement_id)
    assert (document.filename, document.size, document.content) == ("协议 签字版.pdf", len(content), content)
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.uploaded_by_name == "test"
    assert counts(db.session) == (1, 1, 1)


@pytest.mark.parametrize("content, limit, reason", [
    (b"", 1024, "the file is empty"),
    (b"GIF89a not a pdf %%EOF", 1024, "not a PDF document"),
    (b"%PDF-1.7\n truncated", 1024, "not a complete PDF document"),
    (b"%PDF-1.4\n" + b"0" * 600_000 + b"\n%%EOF\n", 512 * 1024, "at most 0.5 MB"),
])
def test_a_refused_pdf_records_neither_the_agreement_nor_the_document(app, session, content, limit, reason):
    partner_id = make_partner(app)
    with pytest.raises(InvalidInput) as refused:
        agreements.create_agreement(session, CLI, **fields(partner_id),
                                    document=("scan.pdf", content),
                                    document_limit=limit)
    assert refused.value.fields == {"document": [reason]}
    assert counts(session) == (0, 0, 0)


def test_the_agreement_fields_are_checked_before_the_document(app, session):
    partner_id = make_partner(app)
    with pytest.raises(InvalidInput) as refused:
        agreements.create_agreement(session, CLI, **fields(partner_id, valid_to=in_days(-2)),
                                    document=("scan.pdf", b"not a pdf"))
    assert refused.value.fields == {"valid_to": ["must not be before the start date"]}
    assert counts(session) == (0, 0, 0)
