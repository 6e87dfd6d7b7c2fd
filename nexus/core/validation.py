"""Input cleaning shared by every app's services: field errors collected, raised once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from nexus.core.errors import ValidationError

# Field name -> messages, as `ValidationError(errors=...)` takes them.
Errors = dict[str, list[str]]


def clean_text(
    errors: Errors,
    field: str,
    value: Any,
    *,
    max_length: int,
    min_length: int = 1,
    strip: bool = True,
) -> str:
    """`value` as text, stripped unless `strip` is false; a message under `field`
    in `errors` when it is not a string, blank (with `min_length` 1 or more),
    shorter than `min_length` or longer than `max_length`."""
    if not isinstance(value, str):
        errors[field] = ["Must be a string."]
        return ""
    cleaned = value.strip() if strip else value
    length = len(cleaned.strip())
    if length < min_length:
        errors[field] = (
            ["This field may not be blank."]
            if not length
            else [f"At least {min_length} characters."]
        )
    elif len(cleaned) > max_length:
        errors[field] = [f"At most {max_length} characters (got {len(cleaned)})."]
    return cleaned


def clean_choice(errors: Errors, field: str, value: Any, choices: Sequence[str]) -> str:
    """`value` if it is one of `choices`; else a message under `field` and ""."""
    if value not in choices:
        errors[field] = [f"One of: {', '.join(choices)}."]
        return ""
    return str(value)


def unknown_fields(data: Mapping[str, Any], known: set[str]) -> Errors:
    """An error for every key of `data` that is not in `known`."""
    return {key: ["Unknown field."] for key in sorted(set(data) - known)}


def raise_if(errors: Errors) -> None:
    """Raise the collected field errors, if there are any."""
    if errors:
        raise ValidationError(errors=errors)
