"""The foundation layer: money, contracts and market mechanics, below the agents.

Ledger, contracts, finance primitives (lending, equity issues, paying what is due), the
credit market, pure market formulas, payment clearing, securitization, fire sales, errors,
events and the model's named coefficients. Nothing here imports ``agents`` or ``model``:
agents build on this layer and see the economy only through :class:`core.protocol.Economy`.
"""
