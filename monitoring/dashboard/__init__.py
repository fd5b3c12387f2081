"""The service managers' dashboard: server-rendered pages over the journal, interface health
and the dead-letter store, behind sign-in with roles."""
