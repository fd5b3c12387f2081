"""The operator simulator writes realistic lives: documents that validate and translate,
codes the store knows, and an order per person that makes sense."""

from __future__ import annotations

from collections import Counter
from itertools import islice

import pytest

from adapters.private_prisons import adapter
from adapters.private_prisons.reading import read_message
from adapters.private_prisons.simulator import (
    ADMISSION_REASONS,
    COURTS,
    FEMALE_PRISONS,
    HOSPITALS,
    PUBLIC_PRISONS,
    READMISSION_REASONS,
    RELEASE_REASONS,
    REMOVAL_CENTRES,
    TRANSFER_REASONS,
    OperatorSimulator,
)
from adapters.testing import accept
from core_records.commands import RecordReception, RecordRelease, RecordTransfer
from core_records.custody.reference_data import ReferenceData
from core_records.identifiers import parse_cro_number, parse_pnc_id
from core_records.partner_records.commands import CloseNonAssociation, RecordNonAssociation
from schemas.xml import parse_xml


def simulator(operator: str, seed: int = 1, run: str | None = None) -> OperatorSimulator:
    return OperatorSimulator(
        operator, adapter.partners[operator].establishments, seed=seed, run=run
    )


def traffic(
    operator: str, count: int, seed: int = 1, run: str | None = None
) -> list[tuple[str, bytes]]:
    return list(islice(simulator(operator, seed, run).random_traffic(), count))


@pytest.mark.parametrize("operator", sorted(adapter.partners))
def test_every_document_validates_and_translates_for_its_operator(operator: str) -> None:
    scope = adapter.partners[operator]
    kinds = Counter()
    for message_type, body in traffic(operator, 400):
        (command,) = accept(adapter, message_type, body, scope)
        kinds[type(command)] += 1
    assert set(kinds) == {RecordReception, RecordTransfer, RecordRelease}


def test_each_person_is_received_before_being_transferred_or_released() -> None:
    in_custody: dict[str, str] = {}
    for message_type, body in traffic("serco", 3000):
        message = read_message(parse_xml(body), message_type)
        person, movement = message.person.local_id, message.movement
        if message_type == "reception":
            assert person not in in_custody, f"{person} received while in {in_custody[person]}"
            in_custody[person] = movement.to_agency
        else:
            assert in_custody.get(person) == movement.from_agency, f"{person} is not there"
            if (
                message_type == "transfer"
                and movement.to_agency in adapter.partners["serco"].establishments
            ):
                in_custody[person] = movement.to_agency
            else:
                del in_custody[person]
    assert 0 < len(in_custody) < 1000


def test_some_people_come_back_after_release() -> None:
    received = Counter(
        read_message(parse_xml(body), kind).person.local_id
        for kind, body in traffic("g4s", 3000)
        if kind == "reception"
    )
    assert max(received.values()) >= 2


def test_the_same_seed_gives_the_same_traffic_and_another_seed_other_traffic() -> None:
    assert traffic("serco", 50, seed=3, run="R1") == traffic("serco", 50, seed=3, run="R1")
    assert traffic("serco", 50, seed=3, run="R1") != traffic("serco", 50, seed=4, run="R1")


def test_two_runs_of_one_seed_never_share_a_message_reference() -> None:
    def references() -> set[str]:
        return {
            read_message(parse_xml(body), kind).header.reference
            for kind, body in traffic("serco", 50, seed=3)
        }

    assert not references() & references()


def test_message_references_are_unique() -> None:
    references = [
        read_message(parse_xml(body), kind).header.reference
        for kind, body in traffic("sodexo", 1000)
    ]
    assert len(set(references)) == len(references)


def test_women_are_held_in_womens_prisons_when_the_operator_runs_one() -> None:
    women = 0
    for message_type, body in traffic("sodexo", 2000):
        message = read_message(parse_xml(body), message_type)
        if message.person.sex == "F":
            women += 1
            prison = (
                message.movement.to_agency
                if message_type != "release"
                else message.movement.from_agency
            )
            assert prison in FEMALE_PRISONS
    assert women > 0


def test_an_operator_with_no_womens_prison_receives_only_men() -> None:
    sexes = {read_message(parse_xml(body), kind).person.sex for kind, body in traffic("serco", 500)}
    assert sexes == {"M"}


def test_every_code_the_simulator_uses_is_in_the_reference_data() -> None:
    reference = ReferenceData.from_files()
    reasons = reference.movement_reasons
    assert all(("ADM", code) in reasons for code in {*ADMISSION_REASONS, *READMISSION_REASONS})
    assert all(("TRN", code) in reasons for code in TRANSFER_REASONS)
    assert all(("REL", code) in reasons for code in RELEASE_REASONS)
    agencies = {*COURTS, *HOSPITALS, *REMOVAL_CENTRES, *PUBLIC_PRISONS["M"], *PUBLIC_PRISONS["F"]}
    assert agencies <= set(reference.agencies)
    assert set(reference.agencies) >= FEMALE_PRISONS


def test_a_person_can_be_put_through_a_life_by_hand() -> None:
    sim = simulator("serco")
    person = sim.person(known_to_prisons=True)
    assert person.prison_number is not None
    reception = read_message(parse_xml(sim.reception(person, "DNI", "N")), "reception")
    assert (reception.movement.to_agency, reception.movement.reason_code) == ("DNI", "N")
    assert sim.location_of(person) == "DNI"
    transfer = read_message(parse_xml(sim.transfer(person, "DGI")), "transfer")
    assert (transfer.movement.from_agency, transfer.movement.to_agency) == ("DNI", "DGI")
    release = read_message(parse_xml(sim.release(person, "DEC")), "release")
    assert (release.movement.from_agency, release.movement.reason_code) == ("DGI", "DEC")
    assert sim.location_of(person) is None
    assert reception.movement.occurred_at < transfer.movement.occurred_at
    assert transfer.movement.occurred_at < release.movement.occurred_at


def test_out_of_order_lives_are_refused() -> None:
    sim = simulator("serco")
    person = sim.person()
    with pytest.raises(ValueError, match="is not in any of serco's prisons"):
        sim.release(person)
    sim.reception(person)
    with pytest.raises(ValueError, match="already"):
        sim.reception(person)


def test_no_two_simulated_people_share_a_pnc_id_or_cro_number_across_operators() -> None:
    # Real PNC ids and CRO numbers are unique; shared ones would make the store link two
    # different people (as an estate-sized benchmark once showed).
    simulators = [
        OperatorSimulator(operator, ["DNI"], seed=seed)
        for seed, operator in enumerate(["serco", "sodexo", "g4s"])
    ]
    people = [simulators[i % 3].person(known_to_prisons=False) for i in range(24_000)]
    pnc_ids = [parse_pnc_id(p.pnc_id) for p in people if p.pnc_id]
    cro_numbers = [parse_cro_number(p.cro_number) for p in people if p.cro_number]
    assert len(pnc_ids) > 20_000 and len(cro_numbers) > 12_000
    assert len(set(pnc_ids)) == len(pnc_ids)
    assert len(set(cro_numbers)) == len(cro_numbers)


def test_asked_for_now_and_then_it_keeps_two_people_it_holds_apart_and_later_ends_that() -> None:
    scope = adapter.partners["serco"]
    held: dict[str, str] = {}  # prison number to prison, as the operator's documents say
    open_pairs: set[frozenset[str]] = set()
    kinds: Counter[str] = Counter()
    stream = simulator("serco", seed=5).random_traffic(non_association_rate=0.05)
    for message_type, body in islice(stream, 3000):
        kinds[message_type] += 1
        (command,) = accept(adapter, message_type, body, scope)
        if message_type != "non-association":
            message = read_message(parse_xml(body), message_type)
            number = message.person.prison_number
            # A reception, or a transfer between its own prisons, leaves the person held.
            to = message.movement.to_agency
            if number and (message_type == "reception" or to in scope.establishments):
                held[number] = to or ""
            elif number:
                held.pop(number, None)
            continue
        assert isinstance(command, RecordNonAssociation | CloseNonAssociation)
        pair = frozenset((command.person[0].value, command.other_person[0].value))
        assert len(pair) == 2 and pair <= set(held), "both people must be held by serco"
        if isinstance(command, RecordNonAssociation):
            assert pair not in open_pairs
            open_pairs.add(pair)
        else:
            assert pair in open_pairs, "only an open non-association is closed"
            open_pairs.remove(pair)
    assert 0 < kinds["non-association"] < 0.08 * 3000
    assert open_pairs and kinds["non-association"] > len(open_pairs)


def test_without_being_asked_it_sends_no_non_association() -> None:
    assert all(kind != "non-association" for kind, _ in traffic("g4s", 2000))
