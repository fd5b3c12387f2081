"""The nodes of a cluster as the hub's connections take them: in the order given, moving
past a node once it is lost or refuses."""

from __future__ import annotations

import pytest

from routing.rabbitmq.addresses import NodesInTurn, broker_urls


def test_a_comma_separated_list_names_each_node_in_order() -> None:
    assert broker_urls("amqp://a/%2F, amqp://b/%2F,amqp://c/%2F,") == [
        "amqp://a/%2F",
        "amqp://b/%2F",
        "amqp://c/%2F",
    ]
    assert broker_urls("amqp://only/%2F") == ["amqp://only/%2F"]


def test_a_list_without_a_url_is_refused() -> None:
    with pytest.raises(ValueError, match="names no URL"):
        broker_urls(" , ")


def test_nodes_are_tried_from_the_one_after_the_node_last_lost() -> None:
    nodes = NodesInTurn(["n1", "n2", "n3"])

    assert nodes.in_order() == ["n1", "n2", "n3"]
    nodes.move_on()
    assert (nodes.first, nodes.in_order()) == ("n2", ["n2", "n3", "n1"])
    nodes.move_on()
    nodes.move_on()
    assert nodes.in_order() == ["n1", "n2", "n3"]
