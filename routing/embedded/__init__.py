"""The transport in one SQLite file: RabbitMQ's semantics for a single machine, the default
with no broker configured, and the twin the transport contract suite runs beside RabbitMQ.

``EmbeddedTransport`` (transport) is the entry point; behind it, schema opens the file and
creates its tables, messages routes messages in and reads them out, ``EmbeddedConsumer``
(consumer) leases one work queue's messages, upkeep puts back, brings back and dead-letters
without a consumer asking, and topic_matching matches routing keys as a topic exchange does.
"""

from routing.embedded.transport import EmbeddedTransport

__all__ = ["EmbeddedTransport"]
