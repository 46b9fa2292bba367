"""Domain logic of the {{ cookiecutter.service_name }} service.

Shared by its functions through the layer: this package is the only code they share.
It imports no AWS SDK and no Powertools: the functions build the clients and pass them in, so
everything here is tested without AWS.
"""

from {{ cookiecutter.__domain_package }}.errors import (
    Conflict,
    DomainError,
    NotFound,
    ValidationFailed,
)
from {{ cookiecutter.__domain_package }}.events import (
    CREATED,
    DELETED,
    UPDATED,
    Event,
    EventPublisher,
    change_event,
)
from {{ cookiecutter.__domain_package }}.payload import parse
from {{ cookiecutter.__domain_package }}.repository import Repository
from {{ cookiecutter.__domain_package }}.service import {{ cookiecutter.__entity_pascal }}Service

__all__ = [
{% for name in ['CREATED', 'DELETED', 'UPDATED'] + (['Conflict', 'DomainError', 'Event', 'EventPublisher', 'NotFound', 'Repository', 'ValidationFailed', cookiecutter.__entity_pascal ~ 'Service'] | sort(case_sensitive=true)) + ['change_event', 'parse'] %}
    "{{ name }}",
{% endfor %}
]
