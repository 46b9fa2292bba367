"""Domain logic of the shipping service.

Shared by its functions through the layer: this package is the only code they share.
It imports no AWS SDK: the functions build the clients and pass them in, so everything
here is tested without AWS.
"""

from shipping_domain.errors import (
    Conflict,
    DomainError,
    NotFound,
    ValidationFailed,
)
from shipping_domain.events import EventPublisher
from shipping_domain.repository import Repository
from shipping_domain.service import (
    CREATED,
    DELETED,
    UPDATED,
    ShipmentService,
)

__all__ = [
    "CREATED",
    "DELETED",
    "UPDATED",
    "Conflict",
    "DomainError",
    "EventPublisher",
    "NotFound",
    "Repository",
    "ShipmentService",
    "ValidationFailed",
]
