"""The dashboard's view of kept partner documents (``core_records.bookkeeping.message_history``).

Reading what a partner sent or was sent is reading personal data, so it takes more than a
role: the user needs the content grant (``gatehouse users grant-content``), and must say why
each time. Every reading is audited (who, which document, why) before the document is shown;
a user without the grant is refused (403) even at the document's address, and sees hops only
on the trace page.
"""

# No "from __future__ import annotations": FastAPI reads the Annotated dependencies at run time.

import json
from collections.abc import Callable, Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from lxml import etree

from core_records.bookkeeping.audit import AuditEvent
from core_records.bookkeeping.journal import Hop
from core_records.bookkeeping.message_history import (
    DocumentCorrupt,
    MessageHistory,
    StoredDocument,
)
from core_records.errors import InvalidMessage
from core_records.timestamps import utc_now
from monitoring.dashboard.users import SignedIn
from monitoring.dashboard.web import render, require_action, require_role
from schemas.json_documents import parse_json
from schemas.xml import parse_xml

VIEWED = "message_document.viewed"
"""The audit action of one reading of a kept document."""
MAX_REASON = 500

SETTLING_HOPS = ("stored", "duplicate", "rejected", "held", "delivered", "dead_lettered")
"""The hops a kept document is written with; it is shown beside the last of them."""


def may_read_documents(user: SignedIn) -> None:
    if not user.may_view_content:
        raise HTTPException(
            403,
            f"{user.username} may not read partner documents: another admin grants it on the"
            f" Users page, or with gatehouse users grant-content {user.username}",
        )


def document_pages(history: MessageHistory, audit: Callable[[AuditEvent], None]) -> APIRouter:
    """One kept document: a form asking why, then (audited) the document itself."""
    router = APIRouter()

    @router.get("/documents/{document_id}")
    def ask_why(
        request: Request,
        user: Annotated[SignedIn, Depends(require_role("viewer"))],
        document_id: int,
    ) -> Response:
        may_read_documents(user)
        return render(request, "document.html", user, document=_found(history, document_id))

    @router.post("/documents/{document_id}")
    async def read(
        request: Request,
        user: Annotated[SignedIn, Depends(require_action("viewer"))],
        document_id: int,
    ) -> Response:
        may_read_documents(user)
        document = _found(history, document_id)
        reason = str((await request.form()).get("reason") or "").strip()
        if not reason:
            return render(
                request, "document.html", user, status_code=422, document=document,
                error="Say why you need to read this document.",
            )  # fmt: skip
        audit(
            AuditEvent(
                at=utc_now(),
                actor=user.username,
                action=VIEWED,
                subject=f"message_document:{document.id}",
                detail=f"{document.interface} message {document.message_id}: {reason[:MAX_REASON]}",
            )
        )
        try:
            content = readable(history.read_document(document.id), document.content_type)
        except DocumentCorrupt as error:
            return render(request, "document.html", user, status_code=500, document=document,
                          error=str(error))  # fmt: skip
        return render(
            request, "document.html", user, document=document, content=content, reason=reason
        )

    return router


def _found(history: MessageHistory, document_id: int) -> StoredDocument:
    document = history.document(document_id)
    if document is None:
        raise HTTPException(404, f"there is no kept document {document_id}")
    return document


def readable(body: bytes, content_type: str) -> str:
    """The document as text for a person: XML and JSON indented, anything else as it is.
    Parsed with the same hardened parsers as inbound documents (no DTDs, no entities)."""
    try:
        if "json" in content_type:
            return json.dumps(parse_json(body, max_bytes=len(body) + 1), indent=2)
        if "xml" in content_type or body.lstrip().startswith(b"<"):
            root = parse_xml(body, max_bytes=len(body) + 1)
            etree.indent(root)
            return str(etree.tostring(root, encoding="unicode"))
    except InvalidMessage:
        pass  # not what it claims to be: shown as it is
    return body.decode("utf-8", errors="replace")


def beside_hops(hops: Sequence[Hop], documents: Sequence[StoredDocument]) -> dict[int, list]:
    """Each document by the index of the hop it was kept with: the last settling hop of its
    message on its interface, else the last hop of its message."""
    placed: dict[int, list[StoredDocument]] = {}
    for document in documents:
        adapter, _, direction = document.interface.rpartition(".")
        own = [i for i, h in enumerate(hops) if h.message_id == document.message_id]
        same = [i for i in own if (hops[i].adapter, hops[i].direction) == (adapter, direction)]
        settling = [i for i in same if hops[i].hop in SETTLING_HOPS]
        where = (settling or same or own or [len(hops) - 1])[-1]
        placed.setdefault(where, []).append(document)
    return placed
