"""Domain logic of the orders service.

Shared by its functions through the layer: this package is the only code they share.
It imports no AWS SDK: the functions build the clients and pass them in, so everything
here is tested without AWS.
"""

from orders_domain.errors import (
    Conflict,
    DomainError,
    NotFound,
    ValidationFailed,
)
from orders_domain.events import EventPublisher
from orders_domain.repository import Repository
from orders_domain.service import (
    CREATED,
    DELETED,
    UPDATED,
    OrderService,
)

__all__ = [
    "CREATED",
    "DELETED",
    "UPDATED",
    "Conflict",
    "DomainError",
    "EventPublisher",
    "NotFound",
    "OrderService",
    "Repository",
    "ValidationFailed",
]
