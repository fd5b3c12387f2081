"""The LIDS adapter keeps the adapter contract (its samples and policy)."""

from adapters.contract_suite import AdapterContract


class TestLidsContract(AdapterContract):
    adapter_packages = ("adapters.lids",)
