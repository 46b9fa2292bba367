"""Domain logic of the {{ cookiecutter.service_name }} service.

Shared by its functions through the layer: this package is the only code they share.
It imports no AWS SDK: the functions build the clients and pass them in, so everything
here is tested without AWS.
"""

from {{ cookiecutter.__domain_package }}.errors import (
    Conflict,
    DomainError,
    NotFound,
    ValidationFailed,
)
from {{ cookiecutter.__domain_package }}.events import EventPublisher
from {{ cookiecutter.__domain_package }}.repository import Repository
from {{ cookiecutter.__domain_package }}.service import (
    CREATED,
    DELETED,
    UPDATED,
    {{ cookiecutter.__entity_pascal }}Service,
)

__all__ = [
{% for name in ['CREATED', 'DELETED', 'UPDATED'] + (['Conflict', 'DomainError', 'EventPublisher', 'NotFound', 'Repository', 'ValidationFailed', cookiecutter.__entity_pascal ~ 'Service'] | sort(case_sensitive=true)) %}
    "{{ name }}",
{% endfor %}
]
