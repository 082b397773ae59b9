"""The error a batch raises when it cannot start or go on (bad arguments, output, plan)."""

from __future__ import annotations

__all__ = ["BatchError"]


class BatchError(ValueError):
    """A batch cannot start: a bad argument, an unusable output folder, a plan too large.

    The message is one line naming what to fix; the CLI prints it and exits 2.
    """
