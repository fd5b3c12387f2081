"""Every adapter registered in the ``gatehouse.adapters`` entry-point group, in this
repository or installed beside it, against the whole contract kit."""

from __future__ import annotations

from adapters.contract_suite import AdapterContract


class TestEveryRegisteredAdapter(AdapterContract):
    """``adapter_packages`` is left empty: every registered adapter."""
