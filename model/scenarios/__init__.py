"""Packaged scenarios: baseline, boom, bust (TOML)."""
