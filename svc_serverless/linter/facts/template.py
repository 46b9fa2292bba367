"""The template reader: the facts a SAM/CloudFormation template declares."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from svc_serverless.linter.facts.arns import (
    NAME_LIKE,
    OWNED_NAME_PROPERTIES,
    RESOLVE_SSM,
    arn_resource,
)
from svc_serverless.linter.facts.events import PIPE, EventReader
from svc_serverless.linter.facts.model import (
    ANY_VALUE,
    SNS,
    SQS,
    TEMPLATE,
    Api,
    Event,
    Name,
    Reference,
    exact,
    normalise_base_path,
    normalise_ssm_prefix,
)
from svc_serverless.linter.facts.resolve import Resolver
from svc_serverless.linter.facts.values import (
    as_items,
    as_str,
    get_in,
    key_node,
    loc_of,
)

if TYPE_CHECKING:
    from svc_serverless.linter.facts.extract import Collected
    from svc_serverless.linter.model import Resource


class TemplateReader:
    """One pass over a template's resources plus one walk over the document.

    Values are resolved as far as the template itself allows (resolve.py): anything that depends
    on a resource of this template is local and never attributed to another service. Events are
    read by events.py.
    """

    def __init__(self, service: str, path: str, data: dict[str, Any], out: Collected) -> None:
        self.service = service
        self.path = path
        self.data = data
        self.out = out
        values = Resolver(service, data)
        self.text = values.text
        self.literal = values.literal
        self.events = EventReader(values, path, out)

    def read(self, resources: tuple[Resource, ...]) -> None:
        for resource in resources:
            self._resource(resource)
        self._outputs()
        self._ssm_parameter_types()
        self._walk_document()

    def _resource(self, resource: Resource) -> None:
        rtype, props, rid = resource.type, resource.properties, resource.logical_id
        owned = OWNED_NAME_PROPERTIES.get(rtype)
        if owned is not None:
            self._owned_name(props, *owned)
        if rtype == "AWS::KMS::Key":
            key = key_node(self.data.get("Resources"), rid)
            self.out.kms_keys.append(Name(rid, loc_of(self.path, key), "key"))
        elif rtype == "AWS::KMS::Alias":
            self._kms_alias(props)
        elif rtype == "AWS::SSM::Parameter":
            self._ssm_parameter(props)
        elif rtype == "AWS::Events::Rule":
            self.events.rule(props, rid)
        elif rtype == PIPE:
            self.events.pipe(props, rid)
        elif rtype in ("AWS::Serverless::Function", "AWS::Serverless::StateMachine"):
            self.events.sam_events(props, rid)
        elif rtype == "AWS::SNS::Subscription":
            self.events.subscription(props.get("TopicArn"), SNS, rid)
        elif rtype == "AWS::Lambda::EventSourceMapping":
            self.events.subscription(props.get("EventSourceArn"), SQS, rid)
        elif rtype == "AWS::ApiGatewayV2::ApiMapping":
            self._base_path(props, "ApiMappingKey")
        elif rtype == "AWS::ApiGateway::BasePathMapping":
            self._base_path(props, "BasePath")
        elif rtype in ("AWS::Serverless::Api", "AWS::Serverless::HttpApi"):
            self._sam_domain_base_paths(props)
        if rtype in ("AWS::Serverless::Function", "AWS::Lambda::Function"):
            self._name_values(get_in(props, "Environment", "Variables"))
        if rtype in ("AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine"):
            self._name_values(props.get("DefinitionSubstitutions"))

    def _owned_name(self, props: Any, prop: str, namespace: str) -> None:
        node = get_in(props, prop)
        name = self.literal(node)
        if not name:
            return
        self.out.owned_names.append(Name(name, loc_of(self.path, node), namespace))
        if namespace in (SNS, SQS):  # a topic or queue it owns is a channel others may read
            self.out.publishes.append(
                Event(exact(name), ANY_VALUE, loc_of(self.path, node), namespace, TEMPLATE)
            )

    def _kms_alias(self, props: Any) -> None:
        node = get_in(props, "AliasName")
        alias = self.literal(node)
        if alias:
            self.out.kms_keys.append(Name(alias, loc_of(self.path, node), "alias"))

    def _ssm_parameter(self, props: Any) -> None:
        node = get_in(props, "Name")
        name = self.literal(node)
        prefix = normalise_ssm_prefix(name or "")
        if prefix:
            self.out.ssm_prefixes.append(Name(prefix, loc_of(self.path, node), TEMPLATE))

    def _base_path(self, props: Any, prop: str) -> None:
        node = get_in(props, prop)
        path = self.literal(node)
        loc = loc_of(self.path, node if node is not None else props)
        self.out.apis_provided.append(Api("", normalise_base_path(path or ""), loc, TEMPLATE))

    def _sam_domain_base_paths(self, props: Any) -> None:
        """Explicit `Domain.BasePath` entries (without one SAM maps the domain's root)."""
        for node in as_items(get_in(props, "Domain", "BasePath")):
            path = self.literal(node)
            if path is not None:
                self.out.apis_provided.append(
                    Api("", normalise_base_path(path), loc_of(self.path, node), TEMPLATE)
                )

    def _name_values(self, mapping: Any) -> None:
        """Literal physical names handed to code: the way code reaches a resource by name."""
        if not isinstance(mapping, dict):
            return
        for value in mapping.values():
            if isinstance(value, str) and NAME_LIKE.match(value) and not value.startswith("arn:"):
                self.out.references.append(Reference("name", str(value), loc_of(self.path, value)))

    def _outputs(self) -> None:
        outputs = self.data.get("Outputs")
        if not isinstance(outputs, dict):
            return
        for name, spec in outputs.items():
            self.out.outputs.append(Name(str(name), loc_of(self.path, name), "output"))
            node = get_in(spec, "Export", "Name")
            export = self.literal(node)
            if export:
                self.out.outputs.append(Name(export, loc_of(self.path, node), "export"))

    def _ssm_parameter_types(self) -> None:
        """`Type: AWS::SSM::Parameter::Value<String>` parameters read the path in their Default."""
        params = self.data.get("Parameters")
        if not isinstance(params, dict):
            return
        for spec in params.values():
            ptype, default = as_str(get_in(spec, "Type")), get_in(spec, "Default")
            if (ptype.startswith("AWS::SSM::Parameter::Value")
                    and isinstance(default, str) and default.startswith("/")):
                self.out.references.append(Reference("ssm", str(default), loc_of(self.path, default)))

    # -- the walk over the whole document ---------------------------------------------------

    def _walk_document(self) -> None:
        resources = self.data.get("Resources")
        for key, value in self.data.items():
            if key == "Resources" and isinstance(resources, dict):
                for rid, node in resources.items():
                    self._walk(node, str(rid))
            elif key != "Parameters":  # parameter defaults are read where they are used
                self._walk(value, "")

    def _walk(self, node: Any, rid: str) -> None:
        if isinstance(node, dict):
            if len(node) == 1:
                key = next(iter(node))
                if key in ("Fn::Sub", "Fn::Join", "Fn::ImportValue"):
                    self._intrinsic(node, str(key), rid)
                    return
            if "Action" in node and "Effect" in node:
                self.events.statement(node, rid)
            for child in node.values():
                self._walk(child, rid)
        elif isinstance(node, list):
            for child in node:
                self._walk(child, rid)
        elif isinstance(node, str):
            self._string(node, node)

    def _intrinsic(self, node: dict[str, Any], key: str, rid: str) -> None:
        arg = node[key]
        if key == "Fn::ImportValue":
            export = self.text(arg)
            if export and not export.startswith("${"):
                self.out.references.append(Reference("import", export, loc_of(self.path, node)))
            return
        text = self.text(node)
        if text is not None:
            self._string(text, node)
        # The operands may hold further intrinsics (a Sub's variable map, a Join's parts).
        operands = arg[1] if isinstance(arg, list) and len(arg) == 2 else None
        if isinstance(operands, (dict, list)):
            children = operands.values() if isinstance(operands, dict) else operands
            for child in children:
                if isinstance(child, (dict, list)):
                    self._walk(child, rid)

    def _string(self, text: str, node: object) -> None:
        if id(node) in self.events.channel_nodes:
            return
        if text.startswith("arn:"):
            parsed = arn_resource(text)
            if parsed is not None:
                namespace, name = parsed
                ref = Reference("ssm", name, loc_of(self.path, node)) if namespace == "ssm" else \
                    Reference("arn", f"{namespace}:{name}", loc_of(self.path, node))
                self.out.references.append(ref)
        elif "{{resolve:ssm" in text:
            for match in RESOLVE_SSM.finditer(text):
                if match.group(1).startswith("/"):
                    path = match.group(1)
                    self.out.references.append(Reference("ssm", path, loc_of(self.path, node)))
