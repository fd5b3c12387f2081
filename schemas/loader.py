"""Partner XSDs (XSD 1.0), compiled once per process, and validation that names the fault.

Schemas are named by their path under the ``schemas`` package, as adapters declare them:
``private_prisons/reception-v1.xsd``; an adapter packaged outside this repository names its
own as ``package:path`` (``courts:schemas/hearing-v1.xsd``). A compiled schema is cached
for the life of the process. libxml2 reports a validation's errors on the schema object
itself, so each schema is used by one thread at a time.

Every fault is reported with the element's path (``/Reception/Person/DateOfBirth``), the
line, the rule (libxml2's error type, e.g. ``SCHEMAV_CVC_DATATYPE_VALID_1_2_1``) and
libxml2's message.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cache
from importlib import import_module
from pathlib import Path

from lxml import etree

from core_records.errors import InvalidMessage
from schemas.xml import element_path

SCHEMAS_ROOT = Path(__file__).resolve().parent


@dataclass(frozen=True)
class SchemaViolation:
    """One way a document breaks its schema."""

    element: str
    line: int | None
    rule: str
    message: str

    def as_error(self, *, more: int = 0) -> InvalidMessage:
        """This fault as an error; ``more`` counts the faults found after it."""
        after = f" (and {more} more fault{'s' if more > 1 else ''})" if more else ""
        return InvalidMessage(
            f"{self.element}: {self.message}{after}",
            element=self.element,
            line=self.line,
            rule=self.rule,
        )


def _package_root(package: str) -> Path:
    """The directory of an importable package, for an adapter that ships its own schemas."""
    try:
        module = import_module(package)
    except ImportError as error:
        raise ValueError(f"no package {package!r} to find a schema in: {error}") from None
    if module.__file__ is None:
        raise ValueError(f"the package {package!r} has no directory to find a schema in")
    return Path(module.__file__).resolve().parent


def schema_file(schema_path: str) -> Path:
    """The file of a schema named by its path under the ``schemas`` package, or, as
    ``package:path``, under an importable package (an adapter outside this repository)."""
    package, separator, relative = schema_path.rpartition(":")
    root = _package_root(package) if separator else SCHEMAS_ROOT
    where = f"the package {package}" if separator else "the schemas package"
    path = (root / relative).resolve()
    if not path.is_relative_to(root) or path.suffix != ".xsd":
        raise ValueError(f"{schema_path!r} is not an XSD under {where}")
    if not path.is_file():
        raise FileNotFoundError(f"no schema {relative!r} under {root}")
    return path


def _schema_document(schema_path: str) -> etree._ElementTree:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.parse(str(schema_file(schema_path)), parser)


@cache
def load_schema(schema_path: str) -> etree.XMLSchema:
    """The compiled schema at ``schema_path`` (under the ``schemas`` package), cached."""
    return etree.XMLSchema(_schema_document(schema_path))


@cache
def _target_namespace_prefix(schema_path: str) -> str:
    namespace = _schema_document(schema_path).getroot().get("targetNamespace")
    return f"{{{namespace}}}" if namespace else ""


_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _lock_for(schema_path: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(schema_path, threading.Lock())


def _readable_path(root: etree._Element, libxml2_path: str | None) -> str:
    """``/Reception/Person/DateOfBirth`` for libxml2's ``/*/*[2]/*[5]``."""
    if not libxml2_path:
        return "/"
    try:
        found = root.getroottree().xpath(libxml2_path)
    except etree.XPathError:
        return libxml2_path
    if not found or not isinstance(found[0], etree._Element):
        return libxml2_path
    return element_path(found[0])


def validation_errors(
    document: etree._Element | etree._ElementTree, schema_path: str
) -> list[SchemaViolation]:
    """Every way ``document`` breaks the schema at ``schema_path``, in document order."""
    root = document.getroot() if isinstance(document, etree._ElementTree) else document
    schema = load_schema(schema_path)
    with _lock_for(schema_path):
        if schema.validate(root):
            return []
        log = list(schema.error_log)
    return [
        SchemaViolation(
            element=_readable_path(root, entry.path),
            line=entry.line or None,
            rule=entry.type_name,
            # Names in the schema's own namespace read better bare; others keep theirs.
            message=entry.message.replace(_target_namespace_prefix(schema_path), ""),
        )
        for entry in log
    ]


def validate(document: etree._Element | etree._ElementTree, schema_path: str) -> None:
    """Raise ``InvalidMessage`` for the first way ``document`` breaks its schema, if any.

    The reason says how many more faults there are, so that a partner fixing one knows
    whether others wait behind it.
    """
    errors = validation_errors(document, schema_path)
    if errors:
        raise errors[0].as_error(more=len(errors) - 1)
