"""The Fellegi-Sunter score: each comparison level, and the decisions at the thresholds."""

from __future__ import annotations

from datetime import date

import pytest

from core_records.commands import PersonName
from core_records.identifiers import CRO, PNC, Identifier
from core_records.identity.matching import (
    LINK,
    NEW,
    REVIEW,
    Description,
    MatchRules,
    compare,
    decide,
    is_one_typo,
    normalise,
)

RULES = MatchRules()
BORN = date(1985, 4, 12)


def _person(
    surname: str = "SMITH",
    forenames: str = "JOHN PAUL",
    born: date = BORN,
    sex: str = "M",
    *identifiers: Identifier,
    aliases: tuple[PersonName, ...] = (),
) -> Description:
    return Description(
        (PersonName(surname, forenames), *aliases), born, sex, frozenset(identifiers)
    )


def _levels(a: Description, b: Description) -> dict[str, str]:
    return {c.field: c.level for c in compare(a, b, RULES).evidence}


def _decision(a: Description, b: Description) -> str:
    return decide(compare(a, b, RULES).score, RULES)


def test_the_same_name_and_date_of_birth_link() -> None:
    assert _decision(_person(), _person()) == LINK


def test_names_are_compared_without_case_accents_or_punctuation() -> None:
    assert normalise("  o'Brien-Smith ") == "OBRIEN SMITH"
    assert normalise("Zoë") == "ZOE"
    assert _levels(_person("o'brien"), _person("OBRIEN"))["surname"] == "exact"


def test_a_surname_typo_is_a_close_jaro_winkler_agreement_and_still_links() -> None:
    levels = _levels(_person("SMITHE"), _person("SMITH"))
    assert levels["surname"].startswith("jaro-winkler 0.9")
    assert _decision(_person("SMITHE"), _person("SMITH")) == LINK


def test_swapped_forename_and_surname_count_as_the_whole_name() -> None:
    levels = _levels(_person("JOHN", "SMITH"), _person("SMITH", "JOHN"))
    assert levels["name"] == "swapped"
    assert _decision(_person("JOHN", "SMITH"), _person("SMITH", "JOHN")) == LINK


def test_a_nickname_agrees_with_the_formal_name() -> None:
    assert _levels(_person(forenames="BILL"), _person(forenames="WILLIAM"))["forename"] == (
        "nickname"
    )


def test_an_alias_on_record_agrees_like_a_name() -> None:
    on_record = _person(aliases=(PersonName("JONES", "DAI", "A"),))
    assert _levels(_person("JONES", "DAI"), on_record)["surname"] == "exact"
    assert _decision(_person("JONES", "DAI"), on_record) == LINK


@pytest.mark.parametrize(
    ("given", "known"),
    [
        (date(1985, 4, 13), date(1985, 4, 12)),  # one digit
        (date(1985, 4, 21), date(1985, 4, 12)),  # day digits transposed
        (date(1958, 4, 12), date(1985, 4, 12)),  # year digits transposed
        (date(1985, 12, 4), date(1985, 4, 12)),  # day and month swapped
    ],
)
def test_a_date_of_birth_with_one_typo_is_nearly_as_good_as_exact(given: date, known: date) -> None:
    assert is_one_typo(given, known)
    assert _levels(_person(born=given), _person(born=known))["dateOfBirth"] == "one typo"
    assert _decision(_person(born=given), _person(born=known)) == LINK


def test_a_date_of_birth_far_off_is_evidence_against() -> None:
    assert not is_one_typo(date(1970, 1, 30), BORN)
    assert _levels(_person(born=date(1970, 1, 30)), _person())["dateOfBirth"] == "differs"
    assert _decision(_person(born=date(1970, 1, 30)), _person()) == NEW


def test_a_strong_identifier_that_disagrees_is_evidence_against_not_missing() -> None:
    one = Identifier(PNC, "2001/0023456K")
    other = Identifier(PNC, "2002/0000001A")
    same = compare(_person("SMITH", "JOHN", BORN, "M", one), _person(), RULES)
    differ = compare(
        _person("SMITH", "JOHN", BORN, "M", one), _person("SMITH", "JOHN", BORN, "M", other), RULES
    )
    assert PNC not in {c.field for c in same.evidence}
    assert differ.score == same.score + RULES.identifier_differs
    assert decide(differ.score, RULES) == NEW


def test_an_identifier_that_agrees_outweighs_a_name_change() -> None:
    cro = Identifier(CRO, "012345/99N")
    married = compare(
        _person("BAKER", "MARY", BORN, "F", cro), _person("JONES", "MARY", BORN, "F", cro), RULES
    )
    assert decide(married.score, RULES) == LINK


def test_twins_with_the_same_date_of_birth_are_not_linked() -> None:
    assert _decision(_person("SMITH", "JAMES"), _person("SMITH", "ROBERT")) != LINK


def test_the_decision_bands_follow_the_thresholds() -> None:
    rules = MatchRules(link_threshold=10, review_threshold=5)
    assert [decide(s, rules) for s in (10, 9.9, 5, 4.9)] == [LINK, REVIEW, REVIEW, NEW]


def test_a_review_threshold_above_the_link_threshold_is_refused() -> None:
    with pytest.raises(ValueError, match="review threshold 20"):
        MatchRules(link_threshold=10, review_threshold=20)


def test_local_ids_disagree_only_within_one_operator() -> None:
    g4s_one = Identifier("LOCAL", "g4s:AC-1")
    g4s_two = Identifier("LOCAL", "g4s:AC-2")
    serco = Identifier("LOCAL", "serco:77")
    levels = _levels(
        _person("SMITH", "JOHN", BORN, "M", g4s_one), _person("SMITH", "JOHN", BORN, "M", g4s_two)
    )
    assert levels["LOCAL g4s"] == "differs"
    other_operator = _levels(
        _person("SMITH", "JOHN", BORN, "M", g4s_one), _person("SMITH", "JOHN", BORN, "M", serco)
    )
    assert not any(field.startswith("LOCAL") for field in other_operator)
