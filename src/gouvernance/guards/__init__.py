"""Guards: small named rules that allow or refuse a transition and say why.

A guard is a pydantic model (its fields are the rule's parameters in the YAML) with a ``check`` method.
Adding one is a class with a ``rule_name`` in a rule pack (a tuple of classes, see ``builtin.py``) that
the composition root registers.
"""

from gouvernance.guards.registry import (
    Guard,
    GuardContext,
    GuardOutcome,
    guard_rules,
    parse_guard,
    register_rules,
)

__all__ = ["Guard", "GuardContext", "GuardOutcome", "guard_rules", "parse_guard", "register_rules"]
