"""Guards: small named rules that allow or refuse a transition and say why.

A guard is a pydantic model (its fields are the rule's parameters in the YAML) with a ``check`` method.
Adding one is a class and a decorator: see ``builtin.py``.
"""

from gouvernance.guards.registry import (
    Guard,
    GuardContext,
    GuardOutcome,
    guard_rules,
    parse_guard,
    register_guard,
)

__all__ = ["Guard", "GuardContext", "GuardOutcome", "guard_rules", "parse_guard", "register_guard"]
