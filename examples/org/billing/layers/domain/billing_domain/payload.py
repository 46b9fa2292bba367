"""Request and command bodies: strict JSON that DynamoDB can store."""

from __future__ import annotations

import json
import math
from typing import Any

from billing_domain.errors import ValidationFailed

# DynamoDB numbers: at most 38 significant digits, magnitude below 1E+126 and above 1E-130.
MAX_DIGITS = 38
MAX_MAGNITUDE = 1e125
MIN_MAGNITUDE = 1e-129


def parse(text: str | bytes) -> Any:
    """JSON as the service accepts it: NaN, Infinity and numbers DynamoDB cannot hold are
    refused with ValidationFailed (a 400), instead of failing later at the table (a 500)."""
    try:
        return json.loads(text, parse_constant=_refuse_constant, parse_float=_float, parse_int=_int)
    except ValidationFailed:
        raise
    except ValueError as err:
        raise ValidationFailed("the body must be JSON") from err
    except RecursionError as err:
        raise ValidationFailed("the body is nested too deeply") from err


def _refuse_constant(name: str) -> Any:
    raise ValidationFailed(f"{name} is not a number the service can store")


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value) or (value and not MIN_MAGNITUDE <= abs(value) <= MAX_MAGNITUDE):
        raise ValidationFailed(f"the number {text[:40]} is out of range")
    return value


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise ValidationFailed(f"the number {text[:40]}... has more than {MAX_DIGITS} digits")
    return int(text)
