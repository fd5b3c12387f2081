"""The courts adapter keeps the adapter contract (its samples, policy and renderer)."""

from adapters.contract_suite import AdapterContract


class TestCourtsContract(AdapterContract):
    adapter_packages = ("adapters.courts",)
