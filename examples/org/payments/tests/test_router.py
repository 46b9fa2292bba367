"""The router function (functions/router/handler.py) against moto: HTTP in, table and events out."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

Published = Callable[[], list[dict[str, Any]]]
Relay = Callable[[], list[dict[str, Any]]]
COLLECTION = "/payments/payments"
MEMBER = COLLECTION + "/{id}"


def request(router: ModuleType, method: str, path: str, body: Any = None, **extra: Any) -> dict[str, Any]:
    event: dict[str, Any] = {"routeKey": f"{method} {path}", **extra}
    if body is not None:
        event["body"] = json.dumps(body)
    response = router.handler(event, None)
    if "body" in response:
        response["json"] = json.loads(response["body"])
    return response


def create(router: ModuleType, **fields: Any) -> dict[str, Any]:
    response = request(router, "POST", COLLECTION, fields)
    assert response["statusCode"] == 201, response
    return response["json"]


def test_create_then_read(router: ModuleType) -> None:
    created = create(router, name="first")
    assert created["name"] == "first"
    assert created["version"] == 1

    response = request(router, "GET", MEMBER, pathParameters={"id": created["id"]})

    assert response["statusCode"] == 200
    assert response["json"] == created


def test_create_publishes_a_thin_event(router: ModuleType, relay: Relay, published: Published) -> None:
    created = create(router, name="first")

    relay()
    events = published()

    assert [e["detail-type"] for e in events] == ["PaymentCreated"]
    assert events[0]["source"] == "payments"
    assert events[0]["detail"] == {"id": created["id"], "version": 1, "changedFields": ["name"]}


def test_body_may_be_base64(router: ModuleType) -> None:
    body = base64.b64encode(json.dumps({"name": "b64"}).encode()).decode()

    response = router.handler({"routeKey": f"POST {COLLECTION}", "body": body, "isBase64Encoded": True})

    assert response["statusCode"] == 201


def test_list_pages_through_everything(router: ModuleType) -> None:
    ids = {create(router, n=n)["id"] for n in range(5)}
    seen: set[str] = set()
    token = None
    while True:
        query = {"limit": "2", **({"nextToken": token} if token else {})}
        page = request(router, "GET", COLLECTION, queryStringParameters=query)["json"]
        seen.update(item["id"] for item in page["items"])
        token = page["nextToken"]
        if not token:
            break
    assert seen == ids


def test_update_merges_fields_and_bumps_version(
    router: ModuleType, relay: Relay, published: Published
) -> None:
    created = create(router, name="old", keep="yes")

    response = request(router, "PUT", MEMBER, {"name": "new"}, pathParameters={"id": created["id"]})
    relay()

    assert response["statusCode"] == 200
    assert response["json"]["name"] == "new"
    assert response["json"]["keep"] == "yes"
    assert response["json"]["version"] == 2
    updated = [e["detail"] for e in published() if e["detail-type"] == "PaymentUpdated"]
    assert updated == [{"id": created["id"], "version": 2, "changedFields": ["name"]}]


def test_delete_then_read_is_404(router: ModuleType, relay: Relay, published: Published) -> None:
    created = create(router, name="gone")

    deleted = request(router, "DELETE", MEMBER, pathParameters={"id": created["id"]})
    again = request(router, "GET", MEMBER, pathParameters={"id": created["id"]})
    relay()

    assert deleted["statusCode"] == 204
    assert again["statusCode"] == 404
    assert [e["detail-type"] for e in published()][-1] == "PaymentDeleted"


def test_unknown_id_is_404(router: ModuleType) -> None:
    for method in ("GET", "PUT", "DELETE"):
        body = {"a": 1} if method == "PUT" else None
        response = request(router, method, MEMBER, body, pathParameters={"id": "nope"})
        assert response["statusCode"] == 404, method


def test_bad_input_is_400(router: ModuleType) -> None:
    not_json = router.handler({"routeKey": f"POST {COLLECTION}", "body": "{"})
    not_object = request(router, "POST", COLLECTION, [1, 2])
    reserved = request(router, "POST", COLLECTION, {"id": "mine"})
    bad_limit = request(router, "GET", COLLECTION, queryStringParameters={"limit": "0"})
    bad_token = request(router, "GET", COLLECTION, queryStringParameters={"nextToken": "???"})

    assert [r["statusCode"] for r in (not_json, not_object, reserved, bad_limit, bad_token)] == [400] * 5


HUGE = ["1e400", "1e200", "-1e200", "1" + "0" * 40]


@pytest.mark.parametrize("body", ['{"n": NaN}', '{"n": Infinity}', "[-Infinity]", *HUGE])
def test_numbers_the_table_cannot_hold_are_400(router: ModuleType, body: str) -> None:
    response = router.handler({"routeKey": f"POST {COLLECTION}", "body": body})

    assert response["statusCode"] == 400, response
    assert request(router, "GET", COLLECTION)["json"]["items"] == []


def test_unknown_route_is_404(router: ModuleType) -> None:
    assert request(router, "PATCH", COLLECTION)["statusCode"] == 404


def test_unexpected_errors_are_raised_so_lambda_counts_them(router: ModuleType) -> None:
    class Broken:
        def get(self, item_id: str) -> None:
            raise RuntimeError("secret detail")

    app = router.App(Broken(), create_once=None)

    # Raised, not answered: Lambda's Errors metric (the alarm that rolls deploys back) counts it,
    # and API Gateway answers the caller a bare 500 without the details.
    with pytest.raises(RuntimeError, match="secret detail"):
        router.handler({"routeKey": f"GET {MEMBER}", "pathParameters": {"id": "x"}}, None, app)


def test_idempotency_key_creates_once(router: ModuleType) -> None:
    headers = {"Idempotency-Key": "order-42"}

    first = request(router, "POST", COLLECTION, {"name": "once"}, headers=headers)
    retry = request(router, "POST", COLLECTION, {"name": "once"}, headers=headers)

    assert first["statusCode"] == retry["statusCode"] == 201
    assert retry["json"] == first["json"]
    stored = request(router, "GET", COLLECTION)["json"]["items"]
    assert [item["id"] for item in stored] == [first["json"]["id"]]


def test_idempotency_key_with_another_body_is_422(router: ModuleType) -> None:
    headers = {"idempotency-key": "order-43"}
    request(router, "POST", COLLECTION, {"name": "a"}, headers=headers)

    reused = request(router, "POST", COLLECTION, {"name": "b"}, headers=headers)

    assert reused["statusCode"] == 422
    assert len(request(router, "GET", COLLECTION)["json"]["items"]) == 1


def test_bad_idempotency_key_is_400(router: ModuleType) -> None:
    response = request(router, "POST", COLLECTION, {"name": "a"}, headers={"idempotency-key": "x" * 129})

    assert response["statusCode"] == 400
