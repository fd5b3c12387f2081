"""The transport on RabbitMQ, with pika: what production and the distributed deployment use.

``RabbitTransport`` (transport) is the entry point; behind it, ``ConfirmingPublisher``
(publisher) publishes with pipelined confirms, ``RabbitConsumer`` (consumer) consumes one work
queue, codec maps messages to AMQP properties and back, queue_arguments types the quorum
queues' arguments, reconnect paces reconnection, and partner_access lists what an AMQP
partner's own broker user may touch.
"""

from routing.rabbitmq.transport import RabbitTransport

__all__ = ["RabbitTransport"]
