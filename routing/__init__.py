"""Messaging: how a partner's message becomes a record change, and a record change reaches
the partners that may see it.

The public surface, one module or subpackage each:

    transport          the port: what Gatehouse needs from a broker (``Transport``, ``Consumer``)
    messages           what travels on a transport (``Message``, ``Delivery``)
    rabbitmq/          the transport on RabbitMQ (``RabbitTransport``)
    embedded/          the transport in one SQLite file, for a single machine
                       (``EmbeddedTransport``)
    topology           every exchange and queue, named and shaped in one place (``Topology``)
    retry              retry or dead-letter: the one decision on a failed message (``RetryPolicy``)
    inbound            putting an accepted partner document on the inbound exchange
    ingest             inbound messages into record changes and outbox events (``IngestWorker``)
    relay              the outbox relay onto the events exchange (``OutboxRelay``)
    delivery           events from a partner's outbound queue to the partner (``DeliveryWorker``)
    dead_letters       the dead-letter queue into the store, and replay (``DeadLetterKeeper``)
    worker             running worker loops and stopping them cleanly (``WorkerRunner``)
    file_interfaces/   a partner's batch files on the normal pipeline (``FileIntake``,
                       ``SftpPoller``)
    partner_amqp       partners that speak AMQP, both directions (``AmqpPartnerDelivery``,
                       ``AmqpPartnerListener``)

Import from the module that defines a name; this package itself exports nothing.
"""
