"""``gatehouse demo``: the whole hub on its embedded default, with simulated partners around
it, for a newcomer to watch and for screenshots.

- ``run``: the demo's entry, starting the hub, its workers and every simulation
- ``partners``: the private-prison operators, probation and OASys
- ``amqp_partners``: PNC and the security application, over AMQP
- ``canteen``: the prison shops, kiosks and the finance system
- ``dashboard``: a user to sign in with, and a Delius that sometimes refuses
"""
