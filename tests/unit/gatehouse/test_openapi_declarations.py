"""The OpenAPI declarations shared by the routes: the inbound examples come from each
adapter's own valid samples, one per message type, and the Problem schema holds what
``problem()`` answers."""

from __future__ import annotations

import json

from jsonschema import Draft202012Validator

from adapters.registry import AdapterRegistry
from gatehouse.api.openapi import Problem, inbound_request_body, problem_responses, samples_of
from gatehouse.api.problems import PROBLEM_JSON, problem


def test_every_message_type_of_every_adapter_has_a_sample_in_the_body() -> None:
    registry = AdapterRegistry.from_entry_points()
    content = inbound_request_body(registry)["requestBody"]["content"]
    examples = {**content["application/xml"]["examples"], **content["application/json"]["examples"]}
    wanted = {f"{a.name}/{kind}" for a in registry for kind in a.inbound}
    assert set(examples) == wanted
    for adapter in registry:
        for kind, path in samples_of(adapter).items():
            assert path.parent.name == "valid" and path.parent.parent.parent.name == adapter.name
            assert path.name.startswith(kind), (kind, path.name)
    # A hyphenated type is not taken for a shorter one that starts the same.
    assert "non-association" in examples["private_prisons/non-association"]["summary"]


def test_the_problem_schema_accepts_what_problem_answers() -> None:
    validator = Draft202012Validator(Problem.model_json_schema())
    answer = problem(422, "invalid_message", "bad date", element="/Reception/Date", line=3)
    assert answer.media_type == PROBLEM_JSON
    validator.validate(json.loads(answer.body))
    assert list(validator.iter_errors({"status": 422})), "a body without type/title is refused"
    declared = problem_responses(401, 404)
    assert set(declared) == {401, 404}
    assert declared[401]["description"] == "Unauthorised"
    assert declared[404]["content"][PROBLEM_JSON]["schema"]["$ref"].endswith("/Problem")
