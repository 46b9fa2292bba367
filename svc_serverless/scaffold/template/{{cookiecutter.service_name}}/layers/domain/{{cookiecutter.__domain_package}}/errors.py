"""Errors a caller can act on. `status` is the HTTP status the router answers with."""

from __future__ import annotations


class DomainError(Exception):
    """A request the service refuses; the message is safe to show to the caller."""

    status = 400


class ValidationFailed(DomainError):
    status = 400


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    """The {{ cookiecutter.entity }} changed (or appeared) since it was read: retry with fresh data."""

    status = 409
