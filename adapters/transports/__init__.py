"""How documents travel to and from partners, apart from RabbitMQ (which is ``routing``'s),
and the contract a partner's batch-file format keeps.

    http.py              outbound HTTP delivery of rendered documents (``HttpDelivery``)
    sftp.py              an SFTP connection to a partner's drop, with host-key checking
    sftp_config.py       one partner's SFTP interface, as configured
    file_formats.py      the file format contract: a batch file split into per-record
                         messages, and the receipt written back
    local_server.py      an ASGI app served on a free loopback port (simulators and tests)
    document_receiver.py a simulated partner receiving XML documents over HTTP: a helper
                         for the adapters' simulators, not a transport Gatehouse delivers with

No partner's own format lives here: that is its adapter package's.
"""
