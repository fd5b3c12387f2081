"""Sharing policies read from policy.toml: strict, so that a typo neither shares nor
withholds anything by accident."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.base import EVERYONE, OWN_PRISONS
from adapters.policy_file import PolicyFileError, load_policy

GOOD = """
version = 1
event_types = ["prisoner.received"]
identifier_types = ["NOMS", "CRN"]
information_keys = ["prisonId"]
person_fields = ["prisonNumber", "establishment"]
rows = "own_prisons"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.toml"
    path.write_text(text)
    return path


def test_a_policy_file_declares_every_part_of_the_policy(tmp_path: Path) -> None:
    policy = load_policy(write(tmp_path, GOOD))
    assert policy.event_types == {"prisoner.received"}
    assert policy.identifier_types == {"NOMS", "CRN"}
    assert policy.information_keys == {"prisonId"}
    assert policy.person_fields == {"prisonNumber", "establishment"}
    assert policy.rows == OWN_PRISONS
    assert policy.security_cleared is False


def test_what_a_policy_file_leaves_out_is_withheld(tmp_path: Path) -> None:
    policy = load_policy(write(tmp_path, "version = 1\n"))
    assert not policy.event_types and not policy.identifier_types
    assert not policy.information_keys and not policy.person_fields
    assert policy.rows == EVERYONE


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        (GOOD + "evnet_types = []\n", "unknown key evnet_types"),
        (GOOD.replace("version = 1", "version = 2"), "version must be 1"),
        (GOOD.replace('"CRN"', '"NHS"'), "unknown identifier type NHS"),
        (GOOD.replace('"establishment"', '"religion"'), "unknown person field religion"),
        (GOOD.replace('"own_prisons"', '"some"'), "rows must be one of everyone, own_prisons"),
        (GOOD.replace('["prisonId"]', '"prisonId"'), "information_keys must be a list"),
        (GOOD + "security_cleared = 'yes'\n", "security_cleared must be true or false"),
        (GOOD.replace("version = 1", "version = "), "not valid TOML"),
        (
            GOOD.replace('"prisoner.received"', '"prisoner.received", "alert.security.created"'),
            "alert.security.created may go only to a security-cleared partner",
        ),
    ],
)
def test_a_policy_file_that_cannot_be_trusted_is_refused_naming_the_fault(
    tmp_path: Path, text: str, complaint: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(PolicyFileError, match=complaint) as refused:
        load_policy(path)
    assert str(path) in str(refused.value)


def test_an_adapter_without_a_policy_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PolicyFileError, match="no policy file"):
        load_policy(tmp_path / "policy.toml")


def test_a_security_cleared_partner_may_be_given_security_events(tmp_path: Path) -> None:
    text = 'version = 1\nevent_types = ["alert.security.created"]\nsecurity_cleared = true\n'
    policy = load_policy(write(tmp_path, text))
    assert policy.allows("alert.security.created")
