"""Safe parsing of partner XML: hostile until parsed.

``parse_xml`` refuses, with an ``InvalidMessage`` naming the rule broken:

    size-limit   a body over the byte limit, before any parsing
    well-formed  an empty body, or one that is not well-formed XML
    no-dtd       any DOCTYPE, internal or external, before its subset is read

Entities are never expanded, no external entity or DTD is ever loaded (from a file or the
network), and libxml2's own limits on depth and node size stay on. The DOCTYPE is refused
before libxml2 reads the declarations in it: parsing it, even without expanding anything,
can be enough to make libxml2 open a file named by a parameter entity.
"""

from __future__ import annotations

import re
import threading

from lxml import etree

from core_records.errors import InvalidMessage

DEFAULT_MAX_BYTES = 1_048_576
"""One mebibyte: far above any single partner message Gatehouse accepts."""

_POSITION_SUFFIX = re.compile(r", line \d+, column \d+$")


class _RefuseExternal(etree.Resolver):
    """Answers every request for an external resource with nothing (defence in depth)."""

    def resolve(self, system_url, public_id, context):  # type: ignore[no-untyped-def]
        return self.resolve_string("", context)


class _DoctypeFound(Exception):
    def __init__(self, name: str | None, system_url: str | None) -> None:
        super().__init__(name)
        self.name = name
        self.system_url = system_url


class _RootReached(Exception):
    pass


class _ProloguePeek:
    """A parser target that stops at the DOCTYPE, or at the root element's start tag.

    A DOCTYPE can only come before the root element, so once the root starts the rest of
    the document cannot declare anything.
    """

    def doctype(self, name: str | None, public_id: str | None, system_url: str | None) -> None:
        raise _DoctypeFound(name, system_url)

    def start(self, tag: str, attrib: object) -> None:
        raise _RootReached

    def close(self) -> None:
        return None


def _hardened_parser(target: object | None = None) -> etree.XMLParser:
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        attribute_defaults=False,
        huge_tree=False,
        target=target,
    )
    parser.resolvers.add(_RefuseExternal())
    return parser


class _Parsers(threading.local):
    """One hardened parser of each kind per thread: lxml parsers are reusable, not shareable."""

    def __init__(self) -> None:
        self.prologue = _hardened_parser(target=_ProloguePeek())
        self.document = _hardened_parser()


_parsers = _Parsers()


def _doctype_line(body: bytes) -> int | None:
    index = body.find(b"<!DOCTYPE")
    return body.count(b"\n", 0, index) + 1 if index >= 0 else None


def _refuse_doctype(body: bytes) -> None:
    try:
        etree.fromstring(body, _parsers.prologue)
    except _DoctypeFound as found:
        where = f" (an external DTD at {found.system_url})" if found.system_url else ""
        raise InvalidMessage(
            f"the document declares a DOCTYPE{where}; Gatehouse accepts no DTDs or entities",
            line=_doctype_line(body),
            rule="no-dtd",
        ) from None
    except (_RootReached, etree.XMLSyntaxError):
        # No DOCTYPE before the root, or not XML at all: the full parse reports the latter.
        return


def _not_well_formed(error: etree.XMLSyntaxError) -> InvalidMessage:
    # error.error_log can hold earlier documents' errors (libxml2 logs per thread), so the
    # exception's own message is the one to trust.
    message = _POSITION_SUFFIX.sub("", str(error.msg))
    return InvalidMessage(
        f"not well-formed XML: {message}", line=error.lineno or None, rule="well-formed"
    )


def parse_xml(body: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> etree._Element:
    """The root element of ``body``, parsed safely, or ``InvalidMessage`` saying why not.

    ``max_bytes`` caps the raw body before any parsing. Any encoding libxml2 detects from a
    byte-order mark or the XML declaration (UTF-8, UTF-16, ...) is accepted.
    """
    if not isinstance(body, bytes):
        raise TypeError(f"parse_xml takes bytes, not {type(body).__name__}")
    if len(body) > max_bytes:
        raise InvalidMessage(
            f"the body is {len(body):,} bytes, over the limit of {max_bytes:,} bytes",
            rule="size-limit",
        )
    if not body.strip():
        raise InvalidMessage("the body is empty, not an XML document", line=1, rule="well-formed")
    _refuse_doctype(body)
    try:
        root = etree.fromstring(body, _parsers.document)
    except etree.XMLSyntaxError as error:
        raise _not_well_formed(error) from None
    if root.getroottree().docinfo.doctype:
        raise InvalidMessage(
            "the document declares a DOCTYPE; Gatehouse accepts no DTDs or entities",
            rule="no-dtd",
        )
    return root


def element_path(element: etree._Element) -> str:
    """``/Reception/Person/Aliases/Alias[2]/Surname``: local names from the root down, with a
    position where an element has namesakes among its siblings."""
    steps = []
    current: etree._Element | None = element
    while current is not None:
        step = etree.QName(current).localname
        parent = current.getparent()
        if parent is not None:
            namesakes = parent.findall(current.tag)
            if len(namesakes) > 1:
                step = f"{step}[{namesakes.index(current) + 1}]"
        steps.append(step)
        current = parent
    return "/" + "/".join(reversed(steps))
