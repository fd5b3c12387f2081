"""Gatehouse's composition root: settings, wiring, the CLI and the ASGI app. Nothing imports it."""
