"""Which KMS keys belong to this template, and whether a key reference resolves to one of them.

Shared by the kms rules. "Own" means defined in this template: an `AWS::KMS::Key`, reached by
`Ref` or `GetAtt Key.Arn`/`Key.KeyId`, by an `AWS::KMS::Alias` of this template that targets
such a key (its `Ref`, or its `AliasName` written the same way), by `!Sub` strings that spell
one of those, or by both branches of an `Fn::If`. Anything else comes from outside the stack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from svc_serverless.linter.model import Resource, Template
from svc_serverless.linter.shortform import short_form

KEY_TYPE = "AWS::KMS::Key"
ALIAS_TYPE = "AWS::KMS::Alias"
KEY_ATTRIBUTES = frozenset({"Arn", "KeyId"})
DEFAULT_KEY_NAME = "ServiceKey"

# `${AWS::...}` pseudo parameters: a `Ref` to one is never a key.
_WHOLE_SUB = re.compile(r"^\$\{([A-Za-z0-9]+)(?:\.([A-Za-z0-9]+))?\}$")
# An ARN of this account and region, spelled with pseudo parameters, e.g. for an alias or key.
_OWN_KMS_ARN = re.compile(
    r"^arn:(?:\$\{AWS::Partition\}|aws[a-z-]*):kms:\$\{AWS::Region\}:\$\{AWS::AccountId\}:"
)
_KEY_ARN_SUFFIX = re.compile(r"^key/\$\{([A-Za-z0-9]+)(?:\.KeyId)?\}$")
_MAX_SHOWN = 80


@dataclass(frozen=True)
class OwnKeys:
    """The keys of one template and the aliases that name them."""

    keys: frozenset[str]  # logical ids of AWS::KMS::Key
    aliases: frozenset[str]  # logical ids of AWS::KMS::Alias targeting one of them
    alias_names: frozenset[str]  # those aliases' names, normalised by `_alias_name`
    parameters: frozenset[str]
    resources: frozenset[str]

    @property
    def example(self) -> str:
        """The key to name in a fix: the template's only key, else the svc default."""
        return next(iter(self.keys)) if len(self.keys) == 1 else DEFAULT_KEY_NAME


def own_keys(template: Template) -> OwnKeys:
    keys = frozenset(r.logical_id for r in template.of_type(KEY_TYPE))
    partial = OwnKeys(keys, frozenset(), frozenset(), frozenset(template.section("Parameters")),
                      template.logical_ids)
    aliases: set[str] = set()
    names: set[str] = set()
    for alias in template.of_type(ALIAS_TYPE):
        if foreign(alias.properties.get("TargetKeyId"), partial) is None:
            aliases.add(alias.logical_id)
            name = _alias_name(alias.properties.get("AliasName"))
            if name:
                names.add(name)
    return OwnKeys(keys, frozenset(aliases), frozenset(names), partial.parameters,
                   partial.resources)


def _sub_text(value: Any) -> str | None:
    """The template string of an `Fn::Sub` (without its variable map), else None."""
    if not isinstance(value, dict) or len(value) != 1 or "Fn::Sub" not in value:
        return None
    body = value["Fn::Sub"]
    if isinstance(body, list) and body and isinstance(body[0], str):
        return str(body[0])
    return str(body) if isinstance(body, str) else None


def _sub_variables(value: dict[str, Any]) -> dict[str, Any]:
    """The variable map of a two-argument `Fn::Sub`, else an empty one."""
    body = value.get("Fn::Sub")
    if isinstance(body, list) and len(body) == 2 and isinstance(body[1], dict):
        return body[1]
    return {}


def _alias_name(value: Any) -> str | None:
    """`alias/x` as written (literal or `!Sub`), with an own-account alias ARN prefix removed."""
    text = value if isinstance(value, str) else _sub_text(value)
    if text is None:
        return None
    if isinstance(value, dict):  # only a !Sub may spell the account as ${AWS::AccountId}
        text = _OWN_KMS_ARN.sub("", text)
    return str(text) if text.startswith("alias/") else None


def show(value: Any) -> str:
    """A short rendering of a template value for messages: `!Ref X`, `'alias/aws/sqs'`."""
    return short_form(value, _MAX_SHOWN)


def foreign(value: Any, keys: OwnKeys) -> tuple[object, str] | None:
    """None if `value` names a key of this template; else (the offending node, why not).

    The reason reads after the value, e.g. "a parameter: the key comes from outside the stack".
    A missing value (None) is not foreign: callers report a missing property themselves.
    """
    if value is None:
        return None
    if isinstance(value, str):
        return _foreign_literal(value, keys)
    if not isinstance(value, dict) or len(value) != 1:
        return value, "not a key reference"
    (name, body), = value.items()
    if name == "Ref":
        return _foreign_ref(value, body, keys)
    if name == "Fn::GetAtt":
        return _foreign_getatt(value, body, keys)
    if name == "Fn::If":
        return _foreign_if(value, body, keys)
    if name == "Fn::Sub":
        return _foreign_sub(value, keys)
    if name == "Fn::ImportValue":
        return value, "another stack's key (Fn::ImportValue)"
    return value, "a computed value that svc cannot trace to a key of this template"


def _foreign_literal(value: str, keys: OwnKeys) -> tuple[object, str] | None:
    if value in keys.alias_names:
        return None
    if value.startswith("alias/aws/"):
        return value, "an AWS managed key"
    if value.startswith("alias/"):
        return value, "an alias that this template does not define"
    if value.startswith("arn:"):
        return value, "a literal ARN of a key outside this stack"
    return value, "a literal key id of a key outside this stack"


def _foreign_ref(node: object, target: Any, keys: OwnKeys) -> tuple[object, str] | None:
    if not isinstance(target, str):
        return node, "a malformed Ref"
    if target in keys.keys or target in keys.aliases:
        return None
    if target == "AWS::NoValue":
        return node, "which removes the key"
    if target in keys.parameters:
        return node, "a parameter: the key comes from outside the stack"
    if target in keys.resources:
        return node, "not an AWS::KMS::Key of this template"
    return node, "not defined in this template"


def _foreign_getatt(node: object, body: Any, keys: OwnKeys) -> tuple[object, str] | None:
    parts = body.split(".", 1) if isinstance(body, str) else body
    if (isinstance(parts, list) and len(parts) == 2 and all(isinstance(p, str) for p in parts)
            and parts[0] in keys.keys and parts[1] in KEY_ATTRIBUTES):
        return None
    return node, "not the Arn or KeyId of an AWS::KMS::Key of this template"


def _foreign_if(node: object, body: Any, keys: OwnKeys) -> tuple[object, str] | None:
    if not isinstance(body, list) or len(body) != 3:
        return node, "a malformed Fn::If"
    for branch in body[1:]:
        found = foreign(branch, keys) if branch is not None else (node, "empty")
        if found is not None:
            return found
    return None


def _foreign_sub(node: dict[str, Any], keys: OwnKeys) -> tuple[object, str] | None:
    text = _sub_text(node)
    if text is None:
        return node, "a computed value that svc cannot trace to a key of this template"
    whole = _WHOLE_SUB.match(text)
    if whole:  # "${Key}" or "${Key.Arn}": the same as Ref / GetAtt
        target, attribute = whole.groups()
        variables = _sub_variables(node)
        if attribute is None and target in variables:  # !Sub ["${K}", {K: !Ref Key}]
            return foreign(variables[target], keys)
        if attribute is None:
            return _foreign_ref(node, target, keys)
        return _foreign_getatt(node, [target, attribute], keys)
    name = _alias_name(node)
    if name is not None and name in keys.alias_names:
        return None
    suffix = _KEY_ARN_SUFFIX.match(_OWN_KMS_ARN.sub("", text)) if _OWN_KMS_ARN.match(text) else None
    if suffix and suffix.group(1) in keys.keys:
        return None
    return node, "not a key or alias of this template"


def key_node(mapping: Any, name: str) -> object:
    """The marked key `name` of a mapping (for its line), or None if the mapping lacks it."""
    if isinstance(mapping, dict):
        for key in mapping:
            if key == name:
                return key
    return None


def resource_anchor(template: Template, resource: Resource) -> object:
    """Where to report a problem with a resource as a whole: its `Properties` key, else its id."""
    return (key_node(resource.node, "Properties")
            or key_node(template.section("Resources"), resource.logical_id)
            or resource.node)
