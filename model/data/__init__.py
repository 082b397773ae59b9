"""Packaged data: the starting roster (roster.toml)."""
