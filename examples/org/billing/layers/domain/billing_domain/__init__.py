"""Domain logic of the billing service.

Shared by its functions through the layer: this package is the only code they share.
It imports no AWS SDK: the functions build the clients and pass them in, so everything
here is tested without AWS.
"""

from billing_domain.errors import (
    Conflict,
    DomainError,
    NotFound,
    ValidationFailed,
)
from billing_domain.events import EventPublisher
from billing_domain.repository import Repository
from billing_domain.service import (
    CREATED,
    DELETED,
    UPDATED,
    InvoiceService,
)

__all__ = [
    "CREATED",
    "DELETED",
    "UPDATED",
    "Conflict",
    "DomainError",
    "EventPublisher",
    "InvoiceService",
    "NotFound",
    "Repository",
    "ValidationFailed",
]
