"""Domain logic of the billing service.

Shared by its functions through the layer: this package is the only code they share.
It imports no AWS SDK and no Powertools: the functions build the clients and pass them in, so
everything here is tested without AWS.
"""

from billing_domain.errors import (
    Conflict,
    DomainError,
    NotFound,
    ValidationFailed,
)
from billing_domain.events import (
    CREATED,
    DELETED,
    UPDATED,
    Event,
    EventPublisher,
    change_event,
)
from billing_domain.payload import parse
from billing_domain.repository import Repository
from billing_domain.service import InvoiceService

__all__ = [
    "CREATED",
    "DELETED",
    "UPDATED",
    "Conflict",
    "DomainError",
    "Event",
    "EventPublisher",
    "InvoiceService",
    "NotFound",
    "Repository",
    "ValidationFailed",
    "change_event",
    "parse",
]
