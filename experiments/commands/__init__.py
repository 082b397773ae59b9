"""The batch subcommands of ``python -m experiments``: one module each.

Each module has ``add_parser(subparsers)`` (adds its parser) and ``run(args) -> int``;
``experiments/__main__.py`` lists them.
"""
