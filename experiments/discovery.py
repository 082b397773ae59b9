"""Placeholder."""


def add_parser(subparsers):
    """Register."""
    return subparsers.add_parser("discover")


def run(args):
    """Run."""
    return 0
