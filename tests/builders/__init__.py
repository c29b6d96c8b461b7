"""Builders shared by the tests: rule sets, partners and deals, scenarios and API worlds."""
