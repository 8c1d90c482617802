"""PATCH bodies: the fields a request sets become the changes a domain service validates as a whole."""

from collections.abc import Iterable

from pydantic import BaseModel

from gouvernance.errors import InvalidInput, Message


def patch_changes(body: BaseModel, not_null: Iterable[str]) -> dict[str, object]:
    """The fields ``body`` sets (lists as tuples), without ``version``. A null given for a field that cannot
    be empty is refused (422), every such field at once."""
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    nulls = sorted(key for key in not_null if key in changes and changes[key] is None)
    if nulls:
        problems = [
            Message(
                "patch.null_not_allowed",
                f"« {key} » ne peut être effacé (null refusé)",
                f"'{key}' cannot be cleared (null refused)",
                path=key,
            )
            for key in nulls
        ]
        raise InvalidInput(problems[0], reasons=problems)
    return {key: tuple(value) if isinstance(value, list) else value for key, value in changes.items()}
