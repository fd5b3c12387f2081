"""Safe parsing: real hostile documents are refused with the rule they break, and nothing
outside the body (no file, no network) is ever read."""

from __future__ import annotations

import os
import socket
import threading
import time
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest

from core_records.errors import InvalidMessage
from schemas.xml import parse_xml

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lolz>&lol9;</lolz>
"""


def refusal(body: bytes, **kwargs: int) -> InvalidMessage:
    with pytest.raises(InvalidMessage) as caught:
        parse_xml(body, **kwargs)
    return caught.value


def everything_said_about(error: InvalidMessage) -> str:
    """The error as anyone could ever see it: message, fields and formatted traceback."""
    return "\n".join(
        [str(error), repr(error), repr(error.as_dict()), *traceback.format_exception(error)]
    )


@pytest.fixture
def listening_port() -> Iterator[socket.socket]:
    """A real listener on 127.0.0.1, to show that nothing connects to it."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.setblocking(False)
    yield listener
    listener.close()


def assert_nobody_connected(listener: socket.socket) -> None:
    with pytest.raises(BlockingIOError):
        listener.accept()


# --- entities and DTDs ----------------------------------------------------------------------


def test_a_billion_laughs_is_refused_as_a_dtd_without_expanding_anything() -> None:
    started = time.perf_counter()
    error = refusal(BILLION_LAUGHS)
    assert error.rule == "no-dtd"
    assert error.line == 2
    assert "lol" not in error.reason
    assert time.perf_counter() - started < 1.0


def test_an_external_entity_reading_etc_passwd_is_refused_and_no_file_content_appears() -> None:
    passwd = Path("/etc/passwd").read_text().splitlines()
    body = b"""<?xml version="1.0"?>
<!DOCTYPE person [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<person><name>&secret;</name></person>"""
    error = refusal(body)
    assert error.rule == "no-dtd"
    said = everything_said_about(error)
    for line in passwd:
        assert line not in said
    assert "root:" not in said


def test_an_external_dtd_over_http_is_refused_without_any_connection(
    listening_port: socket.socket,
) -> None:
    port = listening_port.getsockname()[1]
    body = f"""<?xml version="1.0"?>
<!DOCTYPE person SYSTEM "http://127.0.0.1:{port}/evil.dtd">
<person/>""".encode()
    error = refusal(body)
    assert error.rule == "no-dtd"
    assert f"http://127.0.0.1:{port}/evil.dtd" in error.reason
    assert_nobody_connected(listening_port)


def test_an_external_entity_over_http_is_refused_without_any_connection(
    listening_port: socket.socket,
) -> None:
    port = listening_port.getsockname()[1]
    body = f"""<!DOCTYPE r [<!ENTITY x SYSTEM "http://127.0.0.1:{port}/x">]><r>&x;</r>""".encode()
    assert refusal(body).rule == "no-dtd"
    assert_nobody_connected(listening_port)


def test_a_parameter_entity_is_refused_and_its_file_is_never_opened(tmp_path: Path) -> None:
    # libxml2 can open a parameter entity's file while merely reading the DTD. A FIFO shows
    # whether it does: opening one for reading blocks until a writer comes.
    fifo = tmp_path / "entity.fifo"
    os.mkfifo(fifo)
    body = f"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY % remote SYSTEM "file://{fifo}"> %remote;]>
<r/>""".encode()
    outcome: list[BaseException] = []
    parsing = threading.Thread(target=lambda: outcome.append(refusal(body)), daemon=True)
    parsing.start()
    parsing.join(timeout=5)
    opened = parsing.is_alive()
    if opened:  # release the blocked reader before failing
        with open(fifo, "w") as writer:
            writer.write('<!ENTITY leaked "SECRET">')
        parsing.join(timeout=5)
    assert not opened, "the parser opened the parameter entity's file"
    (error,) = outcome
    assert isinstance(error, InvalidMessage)
    assert error.rule == "no-dtd"


def test_any_doctype_is_refused_even_a_harmless_one() -> None:
    error = refusal(b'<?xml version="1.0"?>\n<!-- a comment -->\n<!DOCTYPE r>\n<r/>')
    assert (error.rule, error.line) == ("no-dtd", 3)


def test_an_entity_reference_without_a_dtd_is_not_well_formed() -> None:
    error = refusal(b"<r>&undeclared;</r>")
    assert error.rule == "well-formed"
    assert "undeclared" in error.reason


# --- size and shape -------------------------------------------------------------------------


def test_a_20_mb_body_is_refused_before_it_is_parsed() -> None:
    body = b"<r>" + b"a" * (20 * 1024 * 1024) + b"</r>"
    started = time.perf_counter()
    error = refusal(body)
    assert error.rule == "size-limit"
    assert "20,971,527 bytes" in error.reason
    assert "1,048,576" in error.reason
    assert time.perf_counter() - started < 0.5


def test_the_size_limit_can_be_set_and_a_body_at_the_limit_is_accepted() -> None:
    body = b"<r>" + b"a" * 93 + b"</r>"
    assert len(body) == 100
    assert parse_xml(body, max_bytes=100).tag == "r"
    assert refusal(body, max_bytes=99).rule == "size-limit"


def test_a_body_that_is_not_xml_is_refused_with_the_line() -> None:
    error = refusal(b"reception,A1234BC,MDI\n")
    assert error.rule == "well-formed"
    assert error.line == 1
    assert error.reason.startswith("not well-formed XML: ")


def test_a_malformed_document_names_the_line_of_the_fault() -> None:
    error = refusal(b"<Reception>\n  <Person>\n  </Persn>\n</Reception>")
    assert error.rule == "well-formed"
    assert error.line == 3
    assert "Person" in error.reason


@pytest.mark.parametrize("body", [b"", b"   \n\t "], ids=["empty", "whitespace"])
def test_an_empty_body_is_refused(body: bytes) -> None:
    error = refusal(body)
    assert error.rule == "well-formed"
    assert "empty" in error.reason


def test_a_document_nested_beyond_libxml2s_depth_limit_is_refused() -> None:
    error = refusal(b"<a>" * 5000 + b"</a>" * 5000)
    assert error.rule == "well-formed"


def test_text_is_not_accepted_in_place_of_bytes() -> None:
    with pytest.raises(TypeError, match="bytes"):
        parse_xml("<r/>")  # type: ignore[arg-type]


# --- what is fine ---------------------------------------------------------------------------


def test_utf16_with_a_byte_order_mark_is_fine() -> None:
    text = '<?xml version="1.0" encoding="UTF-16"?>\n<Person><Surname>BRONTË</Surname></Person>'
    root = parse_xml(text.encode("utf-16"))
    assert text.encode("utf-16").startswith((b"\xff\xfe", b"\xfe\xff"))
    assert root.findtext("Surname") == "BRONTË"


def test_a_namespaced_document_keeps_its_lines_for_later_validation_errors() -> None:
    root = parse_xml(b'<?xml version="1.0"?>\n<r xmlns="urn:x">\n  <a>1</a>\n</r>')
    assert root.tag == "{urn:x}r"
    assert root[0].sourceline == 3


def test_a_refusal_leaves_the_thread_fit_to_parse_the_next_document() -> None:
    for hostile in (BILLION_LAUGHS, b"<r>", b"not xml", b"<a>" * 5000):
        refusal(hostile)
        assert parse_xml(b"<r><a>1</a></r>").findtext("a") == "1"
