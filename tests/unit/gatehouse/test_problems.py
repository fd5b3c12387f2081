"""The problem documents' registry: every code a route answers with is a listed type."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from gatehouse.api.problems import PROBLEM_TYPES, problem, problem_body

ROOT = Path(__file__).parents[3]


def codes_answered() -> set[str]:
    """The literal ``error`` argument of every ``problem(...)`` call in the API."""
    codes = set()
    for path in (ROOT / "gatehouse").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) in {"problem", "problem_body"}
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
            ):
                codes.add(node.args[1].value)
    return codes


def test_every_code_the_api_answers_with_is_a_listed_problem_type() -> None:
    answered = codes_answered()
    assert {"not_found", "unauthorised", "rate_limited"} <= answered
    # The inbound edge's unreadable documents are invalid_<format>.
    answered |= {"invalid_xml", "invalid_json"}
    assert answered - set(PROBLEM_TYPES) == set()


def test_a_problem_has_the_rfc_members_and_keeps_error_and_reason() -> None:
    body = problem_body(422, "invalid_message", "bad date", instance="/x", line=3, rule=None)
    assert body == {
        "type": "/problems/invalid-message",
        "title": "Invalid message",
        "status": 422,
        "detail": "bad date",
        "instance": "/x",
        "error": "invalid_message",
        "reason": "bad date",
        "line": 3,
    }
    response = problem(401, "unauthorised", "a token is required")
    assert response.media_type == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"


def test_an_unregistered_code_is_about_blank_and_members_cannot_replace_the_rfcs() -> None:
    assert problem_body(418, "teapot", "short and stout")["type"] == "about:blank"
    assert problem_body(418, "teapot", "short and stout")["title"] == "I'm a Teapot"
    with pytest.raises(ValueError, match="title"):
        problem_body(400, "bad_request", "x", title="mine")
