"""What the share-nothing rules share: one walk of the template, ARN parsing, repo paths.

The template rules (SN001-SN005) all look for the same few things in the same values, so the
template is walked once per repo (`template_scan`) and each rule reads the part it needs:

- every string, `Fn::Sub` and `Fn::Join` that mentions an ARN, a dynamic reference or a
  12-digit number, *rendered* as one Sub-style text: literal text stays literal, references
  become `${Name}` (`!Ref AWS::AccountId` -> `${AWS::AccountId}`, `!GetAtt A.Arn` -> `${A.Arn}`)
  and anything else becomes `${?}`, so `!Join [":", ["arn:aws:sns", !Ref AWS::Region, ...]]`
  reads like the ARN it builds;
- every `Fn::ImportValue`, IAM statement and SAM policy template that reads SSM or secrets;
- every value of a role, layer, KMS key or policy property (SN005's, which SN003 leaves alone
  so one value is never reported twice).

`Metadata` (top-level and per resource) is not deployed configuration and `Description` is
prose: neither is walked. `Globals` is walked raw, so a value there is reported once, at its
own line, not once per function it is merged into.
"""

from __future__ import annotations

import posixpath
import re
from bisect import bisect_right
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

from svc_serverless.linter.cfnyaml import position
from svc_serverless.linter.model import LoadedRepo, Template

# Worth keeping from a walk: ARNs, dynamic references, account ids (bare or in URLs).
_INTERESTING = re.compile(r"arn:|\{\{resolve:|\d{12}")
_PLACEHOLDER = re.compile(r"\$\{([^${}]*)\}")  # no "${" inside: linear on "${${${..."
_ARN_START = re.compile(r"(?<![A-Za-z0-9_.-])arn:")
_FIELD_END = frozenset(" \t\r\n\"'`,()[]{}<>|\\")
ACCOUNT_ID = re.compile(r"^\d{12}$")
REGION = re.compile(r"^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$")
_PARTITION = re.compile(r"^(?:aws(?:-cn|-us-gov|-iso[a-z-]*)?|\$\{AWS::Partition\}|\*)$")
_SERVICE = re.compile(r"^(?:[a-z0-9][a-z0-9-]*|\$\{[^}]*\})$")

OWN_ACCOUNT = "${AWS::AccountId}"
STACK_NAME = "${AWS::StackName}"
OPAQUE = "${?}"
FIND_IN_MAP = "Fn::FindInMap:"
_MAX_SHOWN = 100

# SN005's properties. Values of these (in resource properties and Globals) are SN005's.
ROLE_KEYS = frozenset({"Role", "RoleArn", "RoleARN", "ExecutionRoleArn", "TaskRoleArn",
                       "ServiceRoleArn"})
KEY_KEYS = frozenset({
    "KmsKeyArn", "KMSKeyArn", "KmsKeyId", "KMSKeyId", "KmsKeyID", "KmsMasterKeyId",
    "KMSMasterKeyId", "KMSMasterKeyID", "SSEKMSKeyId", "KmsKeyIdentifier", "KeyARN",
    "AWSKMSKeyARN", "ReplicaKmsKeyID",
})
LIST_KEYS = {"Layers": "layer", "Policies": "policy", "ManagedPolicyArns": "policy"}

# SAM policy templates that read configuration (SN004).
SAM_CONFIG_TEMPLATES = frozenset({
    "SSMParameterReadPolicy", "SSMParameterWithSlashPrefixReadPolicy",
    "AWSSecretsManagerGetSecretValuePolicy",
})

# Properties that name a resource this template creates: references to these names are own.
_NAME_PROPS = {
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::Serverless::LayerVersion": "LayerName",
    "AWS::Lambda::LayerVersion": "LayerName",
    "AWS::KMS::Alias": "AliasName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::SSM::Parameter": "Name",
    "AWS::SecretsManager::Secret": "Name",
}


# ----------------------------------------------------------------------------- rendering


def intrinsic(value: Any) -> tuple[str, Any] | None:
    """(name, argument) of an intrinsic function (`{"Ref": x}`, `{"Fn::Sub": x}`), else None."""
    if isinstance(value, dict) and len(value) == 1:
        (name, arg), = value.items()
        if name == "Ref" or str(name).startswith("Fn::") or name == "Condition":
            return str(name), arg
    return None


@dataclass
class Rendered:
    """A string-valued expression as one Sub-style text (see the module docstring).

    `node` is where to report it; `literal` is True when `text` is character for character the
    string in the file (so an offset in `text` is an offset in the file); `opaque` lists the
    (path, value) parts that could not be rendered and must be walked on their own.
    """

    text: str
    node: object
    literal: bool
    opaque: list[tuple[str, Any]] = field(default_factory=list)


def render(value: Any, path: str = "") -> Rendered | None:
    """A string, `Ref`, `Fn::GetAtt`, `Fn::Sub` or `Fn::Join` rendered; None for anything else."""
    if isinstance(value, str):
        return Rendered(str(value), value, True)
    call = intrinsic(value)
    if call is None:
        return None
    name, arg = call
    if name in ("Ref", "Fn::GetAtt"):
        ref = reference(value)
        return Rendered("${" + ref + "}", value, False) if ref else None
    if name == "Fn::Sub":
        return _render_sub(arg, f"{path}/Fn::Sub")
    if name == "Fn::Join":
        return _render_join(arg, f"{path}/Fn::Join")
    return None


def reference(value: Any) -> str | None:
    """`X` for `!Ref X`, `A.B` for `!GetAtt A.B` (either form), else None."""
    call = intrinsic(value)
    if call is None:
        return None
    name, arg = call
    if name == "Ref" and isinstance(arg, str):
        return str(arg)
    if name == "Fn::GetAtt":
        if isinstance(arg, str) and "." in arg:
            return str(arg)
        if isinstance(arg, list) and len(arg) == 2 and all(isinstance(p, str) for p in arg):
            return f"{arg[0]}.{arg[1]}"
    return None


def find_in_map(value: Any) -> str | None:
    """`${Fn::FindInMap:Map.Top.Second}` for an `Fn::FindInMap` (`*` for a computed key).

    A placeholder like any other (unknown to every rule), which `TemplateScan.account_ids`
    can look up in the template's Mappings.
    """
    call = intrinsic(value)
    if call is None or call[0] != "Fn::FindInMap" or not isinstance(call[1], list) \
            or len(call[1]) < 3:
        return None
    keys = [str(k).replace("}", "").replace(".", "") if isinstance(k, (str, int)) else "*"
            for k in call[1][:3]]
    return "${" + FIND_IN_MAP + ".".join(keys) + "}"


def _part(value: Any, path: str, opaque: list[tuple[str, Any]]) -> str:
    """One piece of a Sub variable or Join list as text; unrenderable pieces become `${?}`."""
    mapped = find_in_map(value)
    if mapped is not None:  # its keys need no walk of their own: SN003 resolves the lookup
        return mapped
    rendered = render(value, path)
    if rendered is None:
        opaque.append((path, value))
        return OPAQUE
    opaque.extend(rendered.opaque)
    return rendered.text


def _render_sub(arg: Any, path: str) -> Rendered | None:
    if isinstance(arg, str):
        return Rendered(str(arg), arg, True)
    if not (isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str)
            and isinstance(arg[1], dict)):
        return None
    template_text, variables = arg
    opaque: list[tuple[str, Any]] = []
    values = {str(k): _part(v, f"{path}/1/{k}", opaque) for k, v in variables.items()}

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        return values.get(name, match.group(0))

    text = _PLACEHOLDER.sub(substitute, template_text)
    return Rendered(text, template_text, text == template_text, opaque)


def _render_join(arg: Any, path: str) -> Rendered | None:
    if not (isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str)
            and isinstance(arg[1], list)):
        return None
    delimiter, parts = arg
    opaque: list[tuple[str, Any]] = []
    text = str(delimiter).join(_part(p, f"{path}/1/{i}", opaque) for i, p in enumerate(parts))
    return Rendered(text, parts, False, opaque)


def placeholders(text: str) -> list[str]:
    return _PLACEHOLDER.findall(text)


def shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."


_WHOLE = re.compile(r"^\$\{([^}]*)\}$")


def _is_account(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return 10**11 <= value < 10**12
    return isinstance(value, str) and bool(ACCOUNT_ID.match(value))


def account_key(key: str) -> bool:
    """A key that names an account (`PeerAccount`, `AWS` under a principal)."""
    return "account" in key.lower() or key == "AWS"


# ----------------------------------------------------------------------------- ARNs


class Arn(NamedTuple):
    """One ARN found in a rendered text; fields may hold `${...}` placeholders."""

    text: str
    start: int  # offset of "arn:" in the rendered text
    partition: str
    service: str
    region: str
    account: str
    resource: str


def _scan_field(text: str, pos: int, stop_at_colon: bool) -> tuple[str, int] | None:
    """Read one ARN field from pos; `${...}` is atomic. Returns (field, position after it)."""
    i, end = pos, len(text)
    while i < end:
        char = text[i]
        if char == "$" and text.startswith("${", i):
            close = text.find("}", i)
            if close < 0:
                return None
            i = close + 1
            continue
        if stop_at_colon and char == ":":
            return text[pos:i], i + 1
        if char in _FIELD_END:
            break
        i += 1
    if stop_at_colon:
        return None
    return text[pos:i], i


def find_arns(text: str) -> Iterator[Arn]:
    """Every AWS ARN in a rendered text (including ARNs nested inside another ARN's path)."""
    for match in _ARN_START.finditer(text):
        pos = match.end()
        fields: list[str] = []
        for _ in range(4):
            read = _scan_field(text, pos, stop_at_colon=True)
            if read is None:
                break
            value, pos = read
            fields.append(value)
        if len(fields) < 4:
            continue
        partition, service, region, account = fields
        if not _PARTITION.match(partition) or not _SERVICE.match(service):
            continue
        read = _scan_field(text, pos, stop_at_colon=False)
        resource = read[0] if read else ""
        end = read[1] if read else pos
        yield Arn(text[match.start():end], match.start(), partition, service, region,
                  account, resource)


def literal_region(region: str) -> bool:
    return bool(REGION.match(region))


# ----------------------------------------------------------------------------- the scan


@dataclass(frozen=True)
class Text:
    """A string-valued expression worth a look (it mentions an ARN, a resolve or 12 digits)."""

    path: str
    rendered: Rendered
    reserved: bool  # a value of an SN005 property: SN003 leaves it to SN005


@dataclass(frozen=True)
class Target:
    """A value of a role, layer, KMS key or policy property (SN005)."""

    path: str
    prop: str
    kind: str  # "role", "layer", "key", "policy"
    value: Any


@dataclass
class TemplateScan:
    template: Template
    texts: list[Text] = field(default_factory=list)
    numbers: list[tuple[str, int, object]] = field(default_factory=list)  # (path, value, anchor)
    imports: list[tuple[str, Any, Any]] = field(default_factory=list)  # (path, call, argument)
    statements: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    sam_templates: list[tuple[str, str, Any]] = field(default_factory=list)  # (path, name, arg)
    targets: list[Target] = field(default_factory=list)
    includes: list[tuple[str, Any]] = field(default_factory=list)  # AWS::Include locations
    logical_ids: frozenset[str] = frozenset()
    parameters: dict[str, Any] = field(default_factory=dict)  # name -> declaration
    mappings: dict[str, Any] = field(default_factory=dict)  # name -> mapping
    own_names: frozenset[str] = frozenset()

    def is_own(self, name: str) -> bool:
        """`X` or `X.Attr` names a resource of this template."""
        return name.split(".", 1)[0] in self.logical_ids

    def default_of(self, name: str) -> str | None:
        """A parameter's literal string Default, if it has one."""
        declared = self.parameters.get(name)
        if isinstance(declared, dict):
            default = declared.get("Default")
            if isinstance(default, str) and "${" not in default:
                return str(default)
        return None

    def account_ids(self, text: str) -> tuple[list[str], str]:
        """The literal account ids a whole `${...}` placeholder stands for, and where from.

        `${Param}` is the parameter's 12-digit Default; `${Fn::FindInMap:M.T.S}` every 12-digit
        value the lookup can return. A value that sits where an account goes is already
        reported at its own line (a parameter or mapping key naming an account) and is left
        out here, so one literal is reported once. ([], "") when it stands for none.
        """
        match = _WHOLE.match(text.strip())
        if match is None:
            return [], ""
        name = match.group(1)
        if name.startswith(FIND_IN_MAP):
            return self._mapped_accounts(name[len(FIND_IN_MAP):])
        declared = self.parameters.get(name)
        default = declared.get("Default") if isinstance(declared, dict) else None
        if _is_account(default) and not account_key(name):
            return [str(default)], f"the default of parameter '{name}'"
        return [], ""

    def _mapped_accounts(self, spec: str) -> tuple[list[str], str]:
        parts = spec.split(".")
        if len(parts) != 3 or not isinstance(self.mappings.get(parts[0]), dict):
            return [], ""
        found: list[str] = []
        for top, entries in self.mappings[parts[0]].items():
            if parts[1] not in ("*", str(top)) or not isinstance(entries, dict):
                continue
            for second, value in entries.items():
                if parts[2] in ("*", str(second)) and _is_account(value) \
                        and not account_key(str(second)) and str(value) not in found:
                    found.append(str(value))
        return found, f"from mapping {parts[0]}" if found else ""

    def with_defaults(self, text: str) -> str:
        """The text with `${Param}` replaced by the parameter's literal default, where it has one."""
        def substitute(match: re.Match[str]) -> str:
            default = self.default_of(match.group(1))
            return default if default is not None else match.group(0)

        return _PLACEHOLDER.sub(substitute, text)

    def builds_from_stack(self, text: str) -> bool:
        """The text names something of this stack: an own resource or the stack's name."""
        if STACK_NAME in text:
            return True
        return any(self.is_own(name) for name in placeholders(text))


class _Scanner:
    def __init__(self, template: Template) -> None:
        self.scan = TemplateScan(template)
        self._seen: set[tuple[str, int, int, str]] = set()

    def _first(self, kind: str, node: object, value: object) -> bool:
        """False for a value already recorded from the same place of the file.

        The copies an `Fn::ForEach` makes of its body (and the places a YAML alias repeats) sit
        at the same line: one finding there, not one per copy. Values without a position (the
        JSON fallback) are all recorded.
        """
        line, col = position(node)
        if line == 0:
            return True
        seen = (kind, line, col, repr(value))
        if seen in self._seen:
            return False
        self._seen.add(seen)
        return True

    def run(self) -> TemplateScan:
        data = self.scan.template.data
        for key, value in data.items():
            if key in ("Metadata", "Description"):
                continue
            if key == "Transform":  # `Transform: {Name: AWS::Include, ...}`, alone or in a list
                self._includes(value, "Transform")
            if key == "Resources" and isinstance(value, dict):
                self._resources(value)
            elif key == "Globals" and isinstance(value, dict):
                for section, body in value.items():
                    self._walk(body, f"Globals/{section}", True, False, section)
            else:
                self._walk(value, str(key), False, False, key)
        return self.scan

    def _resources(self, resources: dict[str, Any]) -> None:
        for logical_id, node in resources.items():
            base = f"Resources/{logical_id}"
            if not isinstance(node, dict):
                continue
            if logical_id == "Fn::Transform":  # an include that adds resources
                self._includes(node, base)
            for key, value in node.items():
                if key == "Metadata":
                    continue
                self._walk(value, f"{base}/{key}", key == "Properties", False, key)

    def _walk(self, value: Any, path: str, zone: bool, reserved: bool, anchor: object) -> None:
        """Record what the rules need below value. `zone`: inside resource properties/Globals."""
        if isinstance(value, str):
            if _INTERESTING.search(value) and self._first("text", value, (value, reserved)):
                self.scan.texts.append(Text(path, Rendered(str(value), value, True), reserved))
            return
        if isinstance(value, bool):
            return
        if isinstance(value, int):
            if 10**11 <= value < 10**12 and self._first("number", anchor, value):
                self.scan.numbers.append((path, value, anchor))
            return
        if isinstance(value, list):
            for index, item in enumerate(value):
                self._walk(item, f"{path}/{index}", zone, reserved, value)
            return
        if isinstance(value, dict):
            self._mapping(value, path, zone, reserved)

    def _mapping(self, value: dict[str, Any], path: str, zone: bool, reserved: bool) -> None:
        call = intrinsic(value)
        if call is not None:
            name, arg = call
            if name in ("Ref", "Fn::FindInMap"):
                self._account_reference(value, path, reserved)
            if name == "Fn::ImportValue":
                if self._first("import", value, value):
                    self.scan.imports.append((path, value, arg))
                return
            if name in ("Fn::Sub", "Fn::Join"):
                rendered = render(value, path)
                if rendered is not None:
                    if _INTERESTING.search(rendered.text) and self._first(
                            "text", value, (rendered.text, reserved)):
                        self.scan.texts.append(Text(path, rendered, reserved))
                    for child_path, child in rendered.opaque:
                        self._walk(child, child_path, zone, reserved, child)
                    return
        if "Fn::Transform" in value:  # alone (a value) or beside other keys (inside a section)
            self._includes(value["Fn::Transform"], f"{path}/Fn::Transform")
        if ("Effect" in value and ("Resource" in value or "NotResource" in value)
                and self._first("statement", value, value)):
            self.scan.statements.append((path, value))
        for key, child in value.items():
            if key == "Description":
                continue
            child_path = f"{path}/{key}"
            if key in SAM_CONFIG_TEMPLATES and self._first("sam", key, child):
                self.scan.sam_templates.append((child_path, str(key), child))
            if zone and not reserved and self._target(key, child, child_path):
                continue
            self._walk(child, child_path, zone, reserved, key)

    def _account_reference(self, value: dict[str, Any], path: str, reserved: bool) -> None:
        """A `!Ref Param` or `!FindInMap` that stands for a literal account id (SN003's)."""
        text = find_in_map(value) or ("${" + str(value["Ref"]) + "}"
                                      if isinstance(value.get("Ref"), str) else None)
        if text is not None and self.scan.account_ids(text) and self._first("text", value, text):
            self.scan.texts.append(Text(path, Rendered(text, value, False), reserved))

    def _includes(self, transform: Any, path: str) -> None:
        """Record the Location of every AWS::Include in a transform: one, or a list of them."""
        for index, spec in enumerate(transform if isinstance(transform, list) else [transform]):
            if not (isinstance(spec, dict) and spec.get("Name") == "AWS::Include"):
                continue
            parameters = spec.get("Parameters")
            location = parameters.get("Location") if isinstance(parameters, dict) else None
            where = f"{path}/{index}" if isinstance(transform, list) else path
            if location is not None and self._first("include", location, location):
                self.scan.includes.append((f"{where}/Parameters/Location", location))

    def _target(self, key: str, value: Any, path: str) -> bool:
        """Record SN005's values under `key`; True when the key is one of SN005's properties."""
        kind = "role" if key in ROLE_KEYS else "key" if key in KEY_KEYS else LIST_KEYS.get(key)
        if kind is None or value is None:
            return False
        if key in LIST_KEYS and isinstance(value, dict) and intrinsic(value) is None:
            return False  # SAM's single inline policy or policy template: SN003 looks inside
        if not (key in LIST_KEYS and isinstance(value, list)):
            if self._first("target", value, value):
                self.scan.targets.append(Target(path, str(key), kind, value))
            self._walk(value, path, True, True, key)
            return True
        for index, item in enumerate(value):
            item_path = f"{path}/{index}"
            if isinstance(item, str) or intrinsic(item) is not None:
                if self._first("target", item, item):
                    self.scan.targets.append(Target(item_path, f"{key} entry", kind, item))
                self._walk(item, item_path, True, True, value)
            else:  # an inline policy or a SAM policy template: not a reference, SN003 looks in
                self._walk(item, item_path, True, False, value)
        return True


def _own_names(template: Template) -> frozenset[str]:
    names: set[str] = set()
    for resource in template.resources:
        prop = _NAME_PROPS.get(resource.type)
        if prop is None:
            continue
        rendered = render(resource.properties.get(prop))
        if rendered is not None and rendered.text:
            names.add(rendered.text.lstrip("/") if prop == "Name" else rendered.text)
    return frozenset(names)


_LAST: list[tuple[LoadedRepo, TemplateScan]] = []


def template_scan(repo: LoadedRepo) -> TemplateScan | None:
    """The scan of the repo's template (None when there is none or it did not parse).

    The rules of this family run one after the other on the same repo, so the last scan is
    kept: each template is walked once, however many of these rules are enabled.
    """
    template = repo.template
    if template is None or template.error is not None:
        return None
    if _LAST and _LAST[0][0] is repo:
        return _LAST[0][1]
    scanner = _Scanner(template)
    scanner.scan.parameters = {str(k): v for k, v in template.section("Parameters").items()}
    scanner.scan.mappings = {str(k): v for k, v in template.section("Mappings").items()}
    scan = scanner.run()
    scan.logical_ids = template.logical_ids
    scan.own_names = _own_names(template)
    _LAST[:] = [(repo, scan)]
    return scan


# ----------------------------------------------------------------------------- positions


_BLOCK_HEAD = re.compile(r"^(?:![A-Za-z:]+\s+)?\|[-+0-9]*\s*(?:#.*)?$")


def locate(repo: LoadedRepo, rendered: Rendered, offset: int) -> tuple[int, int]:
    """The (line, col) of `offset` in a rendered text; inside a `|` block, the exact line.

    A long `DefinitionString: !Sub |` block is one value: pointing at its first line says
    little. When the text is the literal block as written, the offset maps to a file line.
    Anything else (quoted, folded, rendered from parts) is reported at the value itself.
    """
    line, col = position(rendered.node)
    template = repo.template
    if (not rendered.literal or line == 0 or template is None
            or rendered.text.find("\n", 0, offset) < 0):
        return line, col
    source = repo.text(template.path)
    if source is None:
        return line, col
    lines = _lines(source)
    if line > len(lines) or not _BLOCK_HEAD.match(lines[line - 1][col - 1:].strip()):
        return line, col
    starts = _line_starts(rendered.text)
    row = bisect_right(starts, offset) - 1
    line_start = starts[row]
    content = _lines_of_block(rendered.text)[row]
    file_index = line + row  # the block's content starts on the line after its header
    if file_index >= len(lines) or not lines[file_index].endswith(content):
        return line, col
    indent = len(lines[file_index]) - len(content)
    return file_index + 1, indent + (offset - line_start) + 1


# One split per text, however many findings a block holds: splitting per finding was
# quadratic (5,000 ARNs in one DefinitionString took 4 s). A str caches its hash, so a hit
# costs nothing.
@lru_cache(maxsize=8)
def _lines(text: str) -> list[str]:
    return text.splitlines()


@lru_cache(maxsize=8)
def _lines_of_block(text: str) -> list[str]:
    return text.split("\n")


@lru_cache(maxsize=8)
def _line_starts(text: str) -> list[int]:
    return [0] + [match.end() for match in re.finditer("\n", text)]


# ----------------------------------------------------------------------------- repo paths


@dataclass(frozen=True)
class RepoPath:
    """Where a path written in the repo leads: `rel` inside the repo, or `reason` it leaves."""

    rel: str | None  # repo-relative POSIX path ("" is the root), None when it leaves the repo
    reason: str = ""


def is_absolute(path: str) -> bool:
    return path.startswith(("/", "\\")) or bool(re.match(r"^[A-Za-z]:[\\/]", path))


def resolve_path(repo: LoadedRepo, base: str, path: str) -> RepoPath:
    """Resolve `path`, written in folder `base` of the repo, without touching the disk.

    Symlinks are resolved from the repo listing (never followed on disk), so a path that
    leaves the repo through a link is caught like one that climbs out with `..`.
    """
    if is_absolute(path):
        return RepoPath(None, "is an absolute path")
    if path.startswith("~"):
        return RepoPath(None, "is relative to a home folder")
    links = _links(repo)
    queue = deque((f"{base}/{path}" if base else path).replace("\\", "/").split("/"))
    stack: list[str] = []
    via = ""
    hops = 0
    while queue:
        part = queue.popleft()
        if part in ("", "."):
            continue
        if part == "..":
            if not stack:
                return RepoPath(None, f"leaves the repo through the symlink {via}" if via
                                else "climbs out of the repo with '..'")
            stack.pop()
            continue
        stack.append(part)
        target = links.get("/".join(stack))
        if target is None:
            continue
        hops += 1
        via = f"{'/'.join(stack)} -> {target}"
        if hops > 40:
            return RepoPath(None, f"loops through the symlink {via}")
        if is_absolute(target) or target.startswith("~"):
            return RepoPath(None, f"leaves the repo through the symlink {via}")
        stack.pop()
        queue.extendleft(reversed(target.replace("\\", "/").split("/")))
    return RepoPath("/".join(stack))


def _links(repo: LoadedRepo) -> dict[str, str]:
    return dict(repo.listing.symlinks) if repo.listing.symlinks else {}


def within(rel: str, folder: str) -> bool:
    """`rel` is `folder` or below it ("" is the repo root, which holds everything)."""
    return folder == "" or rel == folder or rel.startswith(folder + "/")


def parent(rel: str) -> str:
    return posixpath.dirname(rel)
