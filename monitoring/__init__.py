"""Service monitoring: what the journal, the store and the broker say about the hub's
interfaces, shown to people and alerted on.

Traces of a message (``trace``), interface health and SLAs (``health``, ``sla``,
``monitor``, ``health_history``, ``alerts``), throughput and activity, Prometheus metrics
(``metrics``), management information (``reports``), the identity review pages
(``identity_pages``) and the dashboard (``dashboard/``). ``gatehouse`` wires it to the hub;
nothing here imports ``gatehouse``.
"""
