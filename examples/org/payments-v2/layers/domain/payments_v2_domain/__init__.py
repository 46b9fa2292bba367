"""Domain logic of the payments-v2 service.

Shared by its functions through the layer: this package is the only code they share.
It imports no AWS SDK and no Powertools: the functions build the clients and pass them in, so
everything here is tested without AWS.
"""

from payments_v2_domain.errors import (
    Conflict,
    DomainError,
    NotFound,
    ValidationFailed,
)
from payments_v2_domain.events import (
    CREATED,
    DELETED,
    UPDATED,
    Event,
    EventPublisher,
    change_event,
)
from payments_v2_domain.payload import parse
from payments_v2_domain.repository import Repository
from payments_v2_domain.service import PaymentService

__all__ = [
    "CREATED",
    "DELETED",
    "UPDATED",
    "Conflict",
    "DomainError",
    "Event",
    "EventPublisher",
    "NotFound",
    "PaymentService",
    "Repository",
    "ValidationFailed",
    "change_event",
    "parse",
]
