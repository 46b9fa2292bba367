"""Domain logic of the shipping service.

Shared by its functions through the layer: this package is the only code they share.
It imports no AWS SDK and no Powertools: the functions build the clients and pass them in, so
everything here is tested without AWS.
"""

from shipping_domain.errors import (
    Conflict,
    DomainError,
    NotFound,
    ValidationFailed,
)
from shipping_domain.events import (
    CREATED,
    DELETED,
    UPDATED,
    Event,
    EventPublisher,
    change_event,
)
from shipping_domain.payload import parse
from shipping_domain.repository import Repository
from shipping_domain.service import ShipmentService

__all__ = [
    "CREATED",
    "DELETED",
    "UPDATED",
    "Conflict",
    "DomainError",
    "Event",
    "EventPublisher",
    "NotFound",
    "Repository",
    "ShipmentService",
    "ValidationFailed",
    "change_event",
    "parse",
]
