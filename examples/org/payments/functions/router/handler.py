"""HTTP API of the payments service: maps routes to the domain service.

Routes (payload format 2.0, IAM-authorised by the API) under
/payments/payments:
  POST   /        create                              -> 201 and the new payment
  GET    /        list, ?limit=1..100&nextToken=...   -> 200 {"items": [...], "nextToken": ...}
  GET    /{id}    read                                -> 200 and the payment
  PUT    /{id}    update (fields are merged)          -> 200 and the updated payment
  DELETE /{id}    delete                              -> 204
Refusals are {"message": ...} with 400, 404, 409 or 422. An unexpected failure is raised, so
Lambda counts it in Errors (the alarm that rolls a deploy back) and the API answers a bare 500.

POST takes an `Idempotency-Key` header: a retry with the same key and body gets the first
answer (and the same payment) instead of creating another;
the same key with another body is refused with 422. Keys are remembered for a day
(Powertools idempotency, IdempotencyTable).
"""

from __future__ import annotations

import base64
import json
import os
from functools import lru_cache
from typing import Any, NamedTuple

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)

from payments_domain import DomainError, Repository, parse
from payments_domain.service import (
    PaymentService as Service,
)

LOG = Logger()

COLLECTION = "/payments/payments"
MEMBER = COLLECTION + "/{id}"
IDEMPOTENCY_HEADER = "idempotency-key"  # HTTP API payload 2.0 lower-cases header names
IDEMPOTENCY_SECONDS = 24 * 60 * 60
MAX_KEY_LENGTH = 128


class App(NamedTuple):
    """What the handler needs: the domain service and its create, once per Idempotency-Key."""

    service: Service
    create_once: Any  # create_once(request={"key": ..., "body": ...}) -> the created item
    config: IdempotencyConfig | None = None


@lru_cache(maxsize=1)
def default_app() -> App:
    # Built on first use, not at import, so tests can set the environment and mock AWS first;
    # cached so warm invocations reuse the clients.
    import boto3

    service = Service(Repository(boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])))
    store = DynamoDBPersistenceLayer(table_name=os.environ["IDEMPOTENCY_TABLE_NAME"])
    config = IdempotencyConfig(
        event_key_jmespath="key",
        payload_validation_jmespath="body",
        expires_after_seconds=IDEMPOTENCY_SECONDS,
    )

    @idempotent_function(data_keyword_argument="request", config=config, persistence_store=store)
    def create_once(request: dict[str, Any]) -> dict[str, Any]:
        return service.create(request["body"])

    return App(service, create_once, config)


def handler(event: dict[str, Any], context: Any = None, app: App | None = None) -> dict[str, Any]:
    app = app or default_app()
    if app.config is not None and context is not None:
        app.config.register_lambda_context(context)
    route = event.get("routeKey", "")
    item_id = (event.get("pathParameters") or {}).get("id", "")
    try:
        if route == f"POST {COLLECTION}":
            return _response(201, _create(event, app))
        if route == f"GET {COLLECTION}":
            query = event.get("queryStringParameters") or {}
            return _response(200, app.service.list(limit=_limit(query), next_token=query.get("nextToken")))
        if route == f"GET {MEMBER}":
            return _response(200, app.service.get(item_id))
        if route == f"PUT {MEMBER}":
            return _response(200, app.service.update(item_id, _body(event)))
        if route == f"DELETE {MEMBER}":
            app.service.delete(item_id)
            return _response(204, None)
        return _response(404, {"message": f"no route {route!r}"})
    except DomainError as err:
        return _response(err.status, {"message": str(err)})
    except IdempotencyValidationError:
        return _response(422, {"message": "this Idempotency-Key was used with another request body"})
    except IdempotencyAlreadyInProgressError:
        return _response(409, {"message": "a request with this Idempotency-Key is in progress: retry later"})
    except Exception:
        # Details go to the log, never to the caller; raising makes the failure count in Lambda's
        # Errors metric, and API Gateway answers 500 {"message": "Internal Server Error"}.
        LOG.exception("request failed", extra={"routeKey": route})
        raise


def _create(event: dict[str, Any], app: App) -> Any:
    body = _body(event)
    headers = {name.lower(): value for name, value in (event.get("headers") or {}).items()}
    key = headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        return app.service.create(body)
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isprintable():
        raise _BadRequest(f"the Idempotency-Key header must be 1 to {MAX_KEY_LENGTH} printable characters")
    return app.create_once(request={"key": key, "body": body})


def _body(event: dict[str, Any]) -> Any:
    raw = event.get("body") or ""
    if event.get("isBase64Encoded"):
        try:
            raw = base64.b64decode(raw).decode("utf-8")
        except ValueError as err:
            raise _BadRequest("the request body must be JSON") from err
    return parse(raw)


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
