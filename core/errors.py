"""Exceptions raised by the model: bad input and broken accounting."""

from __future__ import annotations


class ParameterError(ValueError):
    """A parameter or scenario value is unknown or outside its allowed range."""


class AccountingError(AssertionError):
    """A stock-flow identity failed: money was created or lost, or a contract is mis-booked."""
