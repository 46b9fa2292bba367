"""The KMS rules' fixes: encrypt stores with the service's own key, rotate it, or add one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from svc_serverless.edit.yamledit import EditError
from svc_serverless.fix.context import FixContext
from svc_serverless.linter.rule import Finding

KEY_TYPE = "AWS::KMS::Key"


def _own_key(ctx: FixContext) -> str | None:
    """The logical id of the template's one KMS key, or None (none, or more than one)."""
    template = ctx.repo.template
    keys = [r.logical_id for r in template.of_type(KEY_TYPE)] if template is not None else []
    return keys[0] if len(keys) == 1 else None


def _with_key(value: Any, key: str) -> Any:
    if value == "<ref>":
        return {"Ref": key}
    if value == "<arn>":
        return {"Fn::GetAtt": [key, "Arn"]}
    if isinstance(value, Mapping):
        return {k: _with_key(v, key) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_key(v, key) for v in value]
    return value


def _written(ctx: FixContext, name: str) -> None:
    """Refuse a resource that is not written as such in the file (one a loop generates)."""
    node = ctx.editor.node(["Resources", name])
    if node is None or ctx.editor.node(["Resources", name, "Type"]) is None:
        raise EditError(f"{name} is not written out in the template (a loop or macro makes it)")


def fix_data_stores(ctx: FixContext, findings: Sequence[Finding]) -> None:
    """KMS002: merge each store's encryption settings (its row of STORES) into its properties."""
    from svc_serverless.rules.kms.data_store_own_key import STORES

    key = _own_key(ctx)
    if key is None:
        ctx.notes.append("KMS002: not fixed: the template needs exactly one KMS key of its own "
                         "(KMS001's fix adds one with --unsafe-fixes)")
        return
    template = ctx.repo.template
    assert template is not None
    done: set[tuple[str, str]] = set()
    for finding in findings:
        kind, _, rest = finding.path.partition("/")
        name = rest.split("/", 1)[0]
        if (kind, name) in done:
            continue
        done.add((kind, name))
        with ctx.attempt(f"KMS002 {finding.path}"):
            if kind == "Globals" and name == "Function":
                ctx.editor.set(["Globals", "Function", "KmsKeyArn"], _with_key("<arn>", key))
                continue
            resource = template.resource(name) if kind == "Resources" else None
            store = STORES.get(resource.type) if resource is not None else None
            if store is None or store.patch is None:
                raise EditError("no automatic fix for this kind of store")
            if store.unsafe and not ctx.unsafe:
                raise EditError(f"unsafe ({store.unsafe}): use --unsafe-fixes")
            _written(ctx, name)
            ctx.editor.set(["Resources", name, "Properties"], _with_key(store.patch, key))


def _key_resources(key: str) -> dict[str, Any]:
    account_root = {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}
    return {
        key: {
            "Type": KEY_TYPE,
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": {
                "Description": {"Fn::Sub": "${AWS::StackName} service key"},
                "EnableKeyRotation": True,
                "KeyPolicy": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Sid": "AccountRoot", "Effect": "Allow",
                         "Principal": {"AWS": account_root}, "Action": "kms:*", "Resource": "*"},
                    ],
                },
            },
        },
        f"{key}Alias": {
            "Type": "AWS::KMS::Alias",
            "Properties": {"AliasName": {"Fn::Sub": "alias/${AWS::StackName}"},
                           "TargetKeyId": {"Ref": key}},
        },
    }


def fix_own_key(ctx: FixContext, findings: Sequence[Finding]) -> None:
    """KMS001: turn rotation on; with --unsafe-fixes add a key and alias when there is none."""
    template = ctx.repo.template
    assert template is not None
    for finding in findings:
        parts = finding.path.split("/")
        if parts == ["Resources"]:
            with ctx.attempt("KMS001 add a key"):
                if not ctx.unsafe:
                    raise EditError("adding a key is unsafe (the stores move to it on the next "
                                    "deploy of KMS002's fixes): use --unsafe-fixes")
                name = "ServiceKey"
                while name in template.logical_ids or f"{name}Alias" in template.logical_ids:
                    name += "2"
                for logical_id, body in _key_resources(name).items():
                    ctx.editor.add(["Resources"], logical_id, body)
        elif parts[2:] == ["Properties", "EnableKeyRotation"]:
            with ctx.attempt(f"KMS001 {finding.path}"):
                _written(ctx, parts[1])
                ctx.editor.set(["Resources", parts[1], "Properties", "EnableKeyRotation"], True)
        else:
            ctx.notes.append(f"KMS001 {finding.path}: not fixed (a key policy principal: only "
                             "the team knows whom the key should trust)")
