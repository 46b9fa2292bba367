"""Domain logic of the orders service.

Shared by its functions through the layer: this package is the only code they share.
It imports no AWS SDK and no Powertools: the functions build the clients and pass them in, so
everything here is tested without AWS.
"""

from orders_domain.errors import (
    Conflict,
    DomainError,
    NotFound,
    ValidationFailed,
)
from orders_domain.events import (
    CREATED,
    DELETED,
    UPDATED,
    Event,
    EventPublisher,
    change_event,
)
from orders_domain.payload import parse
from orders_domain.repository import Repository
from orders_domain.service import OrderService

__all__ = [
    "CREATED",
    "DELETED",
    "UPDATED",
    "Conflict",
    "DomainError",
    "Event",
    "EventPublisher",
    "NotFound",
    "OrderService",
    "Repository",
    "ValidationFailed",
    "change_event",
    "parse",
]
