"""The service's DynamoDB table, behind the few operations the domain needs."""

from __future__ import annotations

import base64
import json
from decimal import Decimal
from typing import Any

from {{ cookiecutter.__domain_package }}.errors import Conflict, NotFound, ValidationFailed

ENTITY = "{{ cookiecutter.entity }}"


class Repository:
    """Reads and writes {{ cookiecutter.entity_plural }}.

    `table` is a boto3 DynamoDB Table resource (or anything with the same methods). Writes
    are conditional on `version`, so two concurrent updates cannot silently overwrite
    each other: the loser gets Conflict.
    """

    def __init__(self, table: Any) -> None:
        self._table = table

    def get(self, item_id: str) -> dict[str, Any] | None:
        item = self._table.get_item(Key={"id": item_id}, ConsistentRead=True).get("Item")
        return _from_dynamodb(item) if item is not None else None

    def create(self, item: dict[str, Any]) -> None:
        self._put(item, ConditionExpression="attribute_not_exists(id)")

    def replace(self, item: dict[str, Any], expected_version: int) -> None:
        self._put(
            item,
            ConditionExpression="#version = :expected",
            ExpressionAttributeNames={"#version": "version"},
            ExpressionAttributeValues={":expected": expected_version},
        )

    def delete(self, item_id: str) -> dict[str, Any]:
        try:
            response = self._table.delete_item(
                Key={"id": item_id},
                ConditionExpression="attribute_exists(id)",
                ReturnValues="ALL_OLD",
            )
        except Exception as err:
            if _is_condition_failure(err):
                raise NotFound(f"no {ENTITY} with id {item_id!r}") from err
            raise
        return _from_dynamodb(response.get("Attributes", {}))

    def list(self, limit: int, next_token: str | None) -> tuple[list[dict[str, Any]], str | None]:
        request: dict[str, Any] = {"Limit": limit}
        if next_token:
            request["ExclusiveStartKey"] = _decode_token(next_token)
        response = self._table.scan(**request)
        items = [_from_dynamodb(item) for item in response.get("Items", [])]
        last_key = response.get("LastEvaluatedKey")
        return items, _encode_token(last_key) if last_key else None

    def _put(self, item: dict[str, Any], **condition: Any) -> None:
        try:
            self._table.put_item(Item=_to_dynamodb(item), **condition)
        except Exception as err:
            if _is_condition_failure(err):
                raise Conflict(f"{ENTITY} {item['id']!r} changed meanwhile: read it again") from err
            raise


def _is_condition_failure(err: Exception) -> bool:
    # botocore's ClientError, recognised by shape so this package needs no SDK import.
    response = getattr(err, "response", None)
    code = response.get("Error", {}).get("Code") if isinstance(response, dict) else None
    return code == "ConditionalCheckFailedException"


def _to_dynamodb(value: Any) -> Any:
    # boto3 refuses floats (they lose precision); DynamoDB numbers are Decimals.
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {key: _to_dynamodb(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_to_dynamodb(item) for item in value]
    return value


def _from_dynamodb(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: _from_dynamodb(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_from_dynamodb(item) for item in value]
    return value


def _encode_token(key: dict[str, Any]) -> str:
    raw = json.dumps(_from_dynamodb(key), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _decode_token(token: str) -> dict[str, Any]:
    try:
        key = json.loads(base64.urlsafe_b64decode(token.encode()))
    except ValueError as err:
        raise ValidationFailed("nextToken is not a token this API returned") from err
    if not isinstance(key, dict) or set(key) != {"id"}:
        raise ValidationFailed("nextToken is not a token this API returned")
    return key
