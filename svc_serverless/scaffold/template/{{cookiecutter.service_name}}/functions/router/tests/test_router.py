{%- set Entity = cookiecutter.__entity_pascal -%}
{%- set base = '/' ~ cookiecutter.service_name ~ '/' ~ cookiecutter.entity_plural -%}
from __future__ import annotations

import base64
import json
from collections.abc import Callable
from types import ModuleType
from typing import Any

Published = Callable[[], list[dict[str, Any]]]
COLLECTION = "{{ base }}"
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


def test_create_publishes_created_event(router: ModuleType, published: Published) -> None:
    created = create(router, name="first")

    events = published()

    assert [e["detail-type"] for e in events] == ["{{ Entity }}Created"]
    assert events[0]["source"] == "{{ cookiecutter.service_name }}"
    assert events[0]["detail"]["id"] == created["id"]


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


def test_update_merges_fields_and_bumps_version(router: ModuleType, published: Published) -> None:
    created = create(router, name="old", keep="yes")

    response = request(router, "PUT", MEMBER, {"name": "new"}, pathParameters={"id": created["id"]})

    assert response["statusCode"] == 200
    assert response["json"]["name"] == "new"
    assert response["json"]["keep"] == "yes"
    assert response["json"]["version"] == 2
    assert "{{ Entity }}Updated" in [e["detail-type"] for e in published()]


def test_delete_then_read_is_404(router: ModuleType, published: Published) -> None:
    created = create(router, name="gone")

    deleted = request(router, "DELETE", MEMBER, pathParameters={"id": created["id"]})
    again = request(router, "GET", MEMBER, pathParameters={"id": created["id"]})

    assert deleted["statusCode"] == 204
    assert again["statusCode"] == 404
    assert "{{ Entity }}Deleted" in [e["detail-type"] for e in published()]


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


def test_unknown_route_is_404(router: ModuleType) -> None:
    assert request(router, "PATCH", COLLECTION)["statusCode"] == 404


def test_unexpected_errors_are_500_without_details(router: ModuleType) -> None:
    class Broken:
        def get(self, item_id: str) -> None:
            raise RuntimeError("secret detail")

    response = router.handler({"routeKey": f"GET {MEMBER}", "pathParameters": {"id": "x"}}, None, Broken())

    assert response["statusCode"] == 500
    assert "secret" not in response["body"]
