"""The template resources `svc add` wires in, built as the generated functions are wired.

Each builder returns `{logical id: resource}` in the order they are written. Every value that
names another resource comes from `Service` (read from the repo's own template).
"""

from __future__ import annotations

from typing import Any

from svc_serverless.scaffold.add.service import Service


def _arn(name: str) -> dict[str, Any]:
    return {"Fn::GetAtt": [name, "Arn"]}


def _ref(name: str) -> dict[str, str]:
    return {"Ref": name}


def _sub(text: str) -> dict[str, str]:
    return {"Fn::Sub": text}


def _use_key(service: Service) -> dict[str, Any]:
    return {"Sid": "UseServiceKey", "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": _arn(service.key)}


def log_group(service: Service) -> dict[str, Any]:
    # Deleted with the stack: the retention already bounds how long logs are kept.
    return {"Type": "AWS::Logs::LogGroup", "DeletionPolicy": "Delete",
            "UpdateReplacePolicy": "Delete",
            "Properties": {"KmsKeyId": _arn(service.key), "RetentionInDays": service.retention}}


def alarm(service: Service, description: str, namespace: str, metric: str,
          dimension: tuple[str, Any], statistic: str = "Sum", period: int = 60) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "AlarmDescription": _sub("${AWS::StackName}: " + description),
        "Namespace": namespace, "MetricName": metric,
        "Dimensions": [{"Name": dimension[0], "Value": dimension[1]}],
        "Statistic": statistic, "Period": period, "EvaluationPeriods": 1, "Threshold": 1,
        "ComparisonOperator": "GreaterThanOrEqualToThreshold", "TreatMissingData": "notBreaching",
    }
    if service.alarm_topic is not None:
        properties["AlarmActions"] = [_ref(service.alarm_topic)]
    return {"Type": "AWS::CloudWatch::Alarm", "Properties": properties}


def function(service: Service, name: str, pascal: str, trigger: str, *, schedule: str,
             source: str, detail_type: str) -> dict[str, Any]:
    fn, logs = f"{pascal}Function", f"{pascal}LogGroup"
    properties: dict[str, Any] = {
        "Description": _sub(f"${{AWS::StackName}}: the {name} function"),
        "CodeUri": f"functions/{name}/",
        "Handler": "handler.handler" if service.python else "index.handler",
    }
    if not service.runtime_in_globals:
        properties["Runtime"] = service.runtime
    if not service.globals_key:
        properties["KmsKeyArn"] = _arn(service.key)
    if not service.globals_alias and service.stage_parameter:
        properties["AutoPublishAlias"] = _ref("Stage")
    properties["LoggingConfig"] = {"LogGroup": _ref(logs)}
    if service.deployment is not None:
        # Deployed as the repo's other functions are, rolled back by its own error alarm.
        properties["DeploymentPreference"] = {"Type": service.deployment,
                                              "Alarms": [_ref(f"{pascal}ErrorsAlarm")]}
    properties["Policies"] = [{"Statement": [_use_key(service)]}]
    resources: dict[str, Any] = {}
    if trigger == "api":
        assert service.http_api is not None
        properties["Events"] = {"Get": {"Type": "HttpApi", "Properties": {
            "ApiId": _ref(service.http_api), "Method": "GET",
            "Path": f"/{service.name}/{name}"}}}
    elif trigger == "queue":
        queue, dead = f"{pascal}Queue", f"{pascal}DeadLetterQueue"
        window = 5
        # A backlog drains at this many concurrent invocations at most: never more than the
        # function's reserved concurrency, so the queue never throttles it (SQS needs >= 2).
        concurrency = max(2, min(5, service.reserved or 5))
        properties["Events"] = {"Messages": {"Type": "SQS", "Properties": {
            "Queue": _arn(queue), "BatchSize": 10, "MaximumBatchingWindowInSeconds": window,
            "ScalingConfig": {"MaximumConcurrency": concurrency},
            "FunctionResponseTypes": ["ReportBatchItemFailures"]}}}
        resources[queue] = {
            "Type": "AWS::SQS::Queue", "DeletionPolicy": "Delete", "UpdateReplacePolicy": "Delete",
            "Properties": {
                "MessageRetentionPeriod": 345600,
                # Six times the function timeout plus the batching window (Lambda's rule for
                # SQS sources): a message still being processed is not delivered again.
                "VisibilityTimeout": min(service.timeout * 6 + window, 43200),
                "KmsMasterKeyId": _arn(service.key), "KmsDataKeyReusePeriodSeconds": 300,
                "RedrivePolicy": {"deadLetterTargetArn": _arn(dead), "maxReceiveCount": 5},
            },
        }
        resources[dead] = {
            "Type": "AWS::SQS::Queue", "DeletionPolicy": "Delete", "UpdateReplacePolicy": "Delete",
            "Properties": {"MessageRetentionPeriod": 1209600, "KmsMasterKeyId": _arn(service.key),
                           "KmsDataKeyReusePeriodSeconds": 300},
        }
        resources[f"{dead}Alarm"] = alarm(
            service, f"messages for {name} failed five times and wait in its dead-letter queue",
            "AWS/SQS", "ApproximateNumberOfMessagesVisible",
            ("QueueName", {"Fn::GetAtt": [dead, "QueueName"]}), "Maximum", 300)
    elif trigger == "schedule":
        properties["Events"] = {"Schedule": {"Type": "Schedule", "Properties": {
            "Schedule": schedule, "Description": _sub(f"${{AWS::StackName}}: runs {name}")}}}
    elif trigger == "event":
        properties["Events"] = {"Event": {"Type": "EventBridgeRule", "Properties": {
            "Pattern": {"source": [source], "detail-type": [detail_type]}}}}
    return {
        fn: {"Type": "AWS::Serverless::Function", "Properties": properties},
        **resources,
        logs: log_group(service),
        f"{pascal}ErrorsAlarm": alarm(service, f"the {name} function failed", "AWS/Lambda",
                                      "Errors", ("FunctionName", _ref(fn))),
    }


def layer(service: Service, name: str, pascal: str) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "Description": _sub(f"${{AWS::StackName}}: the {name} layer"),
        # Without a name SAM uses the logical id, which every service in the account would share.
        "LayerName": _sub(f"${{AWS::StackName}}-{name}"),
        "ContentUri": f"layers/{name}/",
        "CompatibleRuntimes": [service.runtime],
    }
    metadata: dict[str, Any] = {"BuildMethod": service.runtime}
    if service.architecture is not None:
        properties["CompatibleArchitectures"] = [service.architecture]
        metadata["BuildArchitecture"] = service.architecture
    properties["RetentionPolicy"] = "Delete"
    return {f"{pascal}Layer": {"Type": "AWS::Serverless::LayerVersion", "Properties": properties,
                               "Metadata": metadata}}


def _workflow_role(service: Service, name: str, pascal: str) -> dict[str, Any]:
    statements = [
        _use_key(service),
        # Log delivery and X-Ray have no resource-level permissions: AWS documents "*".
        {"Sid": "DeliverLogs", "Effect": "Allow", "Action": [
            "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery",
            "logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy",
            "logs:DescribeResourcePolicies", "logs:DescribeLogGroups"], "Resource": "*"},
        {"Sid": "WriteTraces", "Effect": "Allow", "Action": [
            "xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
            "xray:GetSamplingTargets"], "Resource": "*"},
    ]
    return {"Type": "AWS::IAM::Role", "Properties": {
        "Description": _sub(f"${{AWS::StackName}}: what the {name} workflow may do"),
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": _ref("AWS::AccountId")}}}]},
        "Policies": [{"PolicyName": "workflow", "PolicyDocument": {
            "Version": "2012-10-17", "Statement": statements}}],
    }}


def workflow(service: Service, name: str, pascal: str, trigger: str, *, schedule: str,
             source: str, detail_type: str) -> dict[str, Any]:
    machine, role, logs = f"{pascal}Workflow", f"{pascal}WorkflowRole", f"{pascal}WorkflowLogGroup"
    resources: dict[str, Any] = {
        machine: {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
            "StateMachineType": "STANDARD",
            "RoleArn": _arn(role),
            "DefinitionS3Location": f"workflows/{name}/{name}.asl.json",
            "EncryptionConfiguration": {"Type": "CUSTOMER_MANAGED_KMS_KEY",
                                        "KmsKeyId": _arn(service.key),
                                        "KmsDataKeyReusePeriodSeconds": 300},
            "LoggingConfiguration": {"Level": "ERROR", "IncludeExecutionData": True,
                                     "Destinations": [{"CloudWatchLogsLogGroup": {
                                         "LogGroupArn": _arn(logs)}}]},
            "TracingConfiguration": {"Enabled": True},
        }},
        role: _workflow_role(service, name, pascal),
        logs: log_group(service),
        f"{machine}FailedAlarm": alarm(service, f"a {name} execution failed", "AWS/States",
                                       "ExecutionsFailed", ("StateMachineArn", _ref(machine)),
                                       period=300),
    }
    if trigger == "none":
        return resources
    starter = f"{pascal}WorkflowStarterRole"
    rule: dict[str, Any] = {"Description": _sub(f"${{AWS::StackName}}: starts {name}"),
                            "State": "ENABLED"}
    if trigger == "schedule":
        rule["ScheduleExpression"] = schedule
    else:
        rule["EventPattern"] = {"source": [source], "detail-type": [detail_type]}
    rule["Targets"] = [{"Id": "workflow", "Arn": _ref(machine), "RoleArn": _arn(starter)}]
    resources[f"{pascal}WorkflowRule"] = {"Type": "AWS::Events::Rule", "Properties": rule}
    resources[starter] = {"Type": "AWS::IAM::Role", "Properties": {
        "Description": _sub(f"${{AWS::StackName}}: lets EventBridge start {name}"),
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": _ref("AWS::AccountId")}}}]},
        "Policies": [{"PolicyName": "start-workflow", "PolicyDocument": {
            "Version": "2012-10-17", "Statement": [
                {"Sid": "StartWorkflow", "Effect": "Allow", "Action": "states:StartExecution",
                 "Resource": _ref(machine)},
                # The workflow is encrypted with the service key: starting it encrypts its input.
                {"Sid": "UseServiceKey", "Effect": "Allow", "Action": "kms:GenerateDataKey",
                 "Resource": _arn(service.key)},
            ]}}],
    }}
    return resources
