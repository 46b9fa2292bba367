{%- set Entity = cookiecutter.__entity_pascal -%}
{%- set base = '/' ~ cookiecutter.service_name ~ '/' ~ cookiecutter.entity_plural -%}
"""HTTP API of the {{ cookiecutter.service_name }} service: maps routes to the domain service.

Routes (payload format 2.0, IAM-authorised by the API) under
{{ base }}:
  POST   /        create                              -> 201 and the new {{ cookiecutter.entity }}
  GET    /        list, ?limit=1..100&nextToken=...   -> 200 {"items": [...], "nextToken": ...}
  GET    /{id}    read                                -> 200 and the {{ cookiecutter.entity }}
  PUT    /{id}    update (fields are merged)          -> 200 and the updated {{ cookiecutter.entity }}
  DELETE /{id}    delete                              -> 204
Refusals are {"message": ...} with 400, 404 or 409.
"""

from __future__ import annotations

import base64
import json
import logging
import os
from functools import lru_cache
from typing import Any

from {{ cookiecutter.__domain_package }} import (
    DomainError,
    EventPublisher,
    Repository,
)
from {{ cookiecutter.__domain_package }}.service import (
    {{ Entity }}Service as Service,
)

LOG = logging.getLogger(__name__)
LOG.setLevel(os.environ.get("AWS_LAMBDA_LOG_LEVEL", "INFO"))

COLLECTION = "/{{ cookiecutter.service_name }}/{{ cookiecutter.entity_plural }}"
MEMBER = COLLECTION + "/{id}"


@lru_cache(maxsize=1)
def default_service() -> Service:
    # Built on first use, not at import, so tests can set the environment and mock AWS first;
    # cached so warm invocations reuse the clients.
    import boto3

    table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
    publisher = EventPublisher(
        boto3.client("events"),
        source=os.environ["EVENT_SOURCE"],
        bus_name=os.environ.get("EVENT_BUS_NAME", "default"),
    )
    return Service(Repository(table), publisher)


def handler(event: dict[str, Any], context: Any = None, service: Service | None = None) -> dict[str, Any]:
    service = service or default_service()
    route = event.get("routeKey", "")
    item_id = (event.get("pathParameters") or {}).get("id", "")
    try:
        if route == f"POST {COLLECTION}":
            return _response(201, service.create(_body(event)))
        if route == f"GET {COLLECTION}":
            query = event.get("queryStringParameters") or {}
            return _response(200, service.list(limit=_limit(query), next_token=query.get("nextToken")))
        if route == f"GET {MEMBER}":
            return _response(200, service.get(item_id))
        if route == f"PUT {MEMBER}":
            return _response(200, service.update(item_id, _body(event)))
        if route == f"DELETE {MEMBER}":
            service.delete(item_id)
            return _response(204, None)
        return _response(404, {"message": f"no route {route!r}"})
    except DomainError as err:
        return _response(err.status, {"message": str(err)})
    except Exception:
        # Details go to the log, never to the caller.
        LOG.exception("request failed", extra={"routeKey": route})
        return _response(500, {"message": "internal error"})


def _body(event: dict[str, Any]) -> Any:
    raw = event.get("body") or ""
    if event.get("isBase64Encoded"):
        raw = base64.b64decode(raw).decode("utf-8")
    try:
        return json.loads(raw)
    except ValueError as err:
        raise _BadRequest("the request body must be JSON") from err


def _limit(query: dict[str, str]) -> int:
    try:
        return int(query.get("limit", "50"))
    except ValueError as err:
        raise _BadRequest("limit must be a number") from err


class _BadRequest(DomainError):
    status = 400


def _response(status: int, body: Any) -> dict[str, Any]:
    response: dict[str, Any] = {"statusCode": status, "headers": {"content-type": "application/json"}}
    if body is not None:
        response["body"] = json.dumps(body)
    return response
