"""``gatehouse ingest``: the ingest partitions, and changing how many there are
(``routing.rabbitmq.repartition``; README, "Partitioned ingest")."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from gatehouse.bootstrap import Hub
from gatehouse.cli.common import JsonOption, echo_json, fail, fail_usage, open_hub
from routing.rabbitmq.repartition import Repartition, RepartitionRefused
from routing.rabbitmq.transport import RabbitTransport
from routing.topology import INGEST_SLOTS, Topology, build_topology

ingest_app = typer.Typer(
    help="Ingest partitions: show them, change how many.", no_args_is_help=True
)


def _topology(hub: Hub, partitions: int) -> Topology:
    return build_topology(
        hub.registry.subscriptions(),
        namespace=hub.settings.namespace,
        delay_tiers_ms=hub.settings.delay_tiers_ms,
        ingest_partitions=partitions,
    )


def _transport(hub: Hub) -> RabbitTransport:
    if not isinstance(hub.transport, RabbitTransport):
        raise fail("ingest partitions need RabbitMQ: the embedded transport has one ingest queue")
    return hub.transport


@ingest_app.command("partitions")
def ingest_partitions(as_json: JsonOption = False) -> None:
    """Each ingest queue of the configured layout: messages waiting and consumers."""
    with open_hub() as hub:
        transport = _transport(hub)
        rows = []
        for queue in hub.topology.ingest_queues:
            ready, consumers = transport.queue_state(queue)
            rows.append({"queue": queue, "ready": ready, "consumers": consumers})
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        typer.echo(f"{row['queue']}  ready={row['ready']}  consumers={row['consumers']}")


@ingest_app.command("repartition")
def ingest_repartition(
    to: Annotated[int, typer.Option("--to", help="The number of partitions wanted.")],
    from_: Annotated[
        int | None,
        typer.Option("--from", help="The number today (default: GATEHOUSE_INGEST_PARTITIONS)."),
    ] = None,
    finish: Annotated[
        bool,
        typer.Option(
            "--finish", help="Step 2, with the old workers stopped: delete the old queues."
        ),
    ] = False,
    wait: Annotated[
        bool, typer.Option("--wait", help="After step 1, wait until the old queues are empty.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Step 1: new messages to the new partitions while the old ones drain. Step 2
    (--finish): remove the old partitions, once empty, before starting the new workers."""
    if not 1 <= to <= INGEST_SLOTS:
        raise fail_usage(f"--to must be 1 to {INGEST_SLOTS}")
    with open_hub() as hub:
        old = from_ if from_ is not None else hub.settings.ingest_partitions
        if old == to:
            raise fail_usage(f"ingest has {to} partitions already (--from {old})")
        change = Repartition(_transport(hub), _topology(hub, old), _topology(hub, to))
        if finish:
            try:
                deleted = change.finish()
            except RepartitionRefused as error:
                raise fail(f"not yet: {error}") from error
            if as_json:
                echo_json({"deleted": deleted})
            else:
                typer.echo(f"deleted {len(deleted)} queues of the {old}-partition layout")
                typer.echo(f"start the workers with GATEHOUSE_INGEST_PARTITIONS={to}")
            return
        draining = change.switch()
        waiting = change.waiting()
        while wait and sum(waiting.values()):
            time.sleep(1.0)
            waiting = change.waiting()
    if as_json:
        echo_json({"draining": draining, "waiting": waiting})
        return
    typer.echo(f"new messages go to {to} partitions; draining {', '.join(draining)}")
    typer.echo(f"waiting in the old layout: {sum(waiting.values())} messages")
    typer.echo(
        "when none wait: stop the ingest workers, run this again with --finish,"
        f" then start them with GATEHOUSE_INGEST_PARTITIONS={to}"
    )
