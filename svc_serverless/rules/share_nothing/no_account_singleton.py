"""The template creates an account-wide singleton setting.

## What it does
Reports resources that configure the whole AWS account (or region) rather than something the
service owns. A service stack must not create them:

| resource type | why it is account-wide |
|---|---|
| `AWS::ApiGateway::Account` | API Gateway's CloudWatch Logs role for every API of the account and region |
| `AWS::Config::ConfigurationRecorder`, `AWS::Config::DeliveryChannel` | one of each per account and region |
| `AWS::GuardDuty::Detector` | one detector per account and region |
| `AWS::SecurityHub::Hub` | Security Hub is enabled once per account and region |
| `AWS::Macie::Session` | Macie is enabled once per account and region |
| `AWS::Detective::Graph` | one behavior graph per account and region |
| `AWS::ResourceExplorer2::Index` | one index per account and region |
| `AWS::Logs::AccountPolicy` | applies to every log group of the account |
| `AWS::EC2::SnapshotBlockPublicAccess`, `AWS::EC2::VPCBlockPublicAccessOptions` | account settings for the region |
| `AWS::Glue::DataCatalogEncryptionSettings` | encryption of the account's whole Data Catalog |
| `AWS::LakeFormation::DataLakeSettings` | Lake Formation administrators and defaults for the account |
| `AWS::IoT::Logging`, `AWS::IoT::AccountAuditConfiguration` | IoT settings for the whole account |
| `AWS::XRay::TransactionSearchConfig` | X-Ray transaction search for the whole account |
| `AWS::SES::VdmAttributes` | SES deliverability settings for the whole account |
| `AWS::Shield::DRTAccess`, `AWS::Shield::ProactiveEngagement` | Shield Advanced settings for the account |
| `AWS::FMS::NotificationChannel` | Firewall Manager's channel for the administrator account |
| `AWS::Organizations::*` (Organization, Account, OrganizationalUnit, Policy, ResourcePolicy) | the organization itself |

CloudTrail trails, OIDC providers and log resource policies are not in the list: a service may
legitimately own a trail of its own data events, and the others are not singletons.

## Why is this bad?
There is one of each per account: two service stacks that both create it fight over it (the
last deploy wins, and deleting either stack deletes the setting for everyone), and a service
that owns it owns a piece of every other service's environment. Account baselines belong to
the platform team's account stack.

## Example
```yaml
Resources:
  ApiGatewayAccount:
    Type: AWS::ApiGateway::Account
    Properties:
      CloudWatchRoleArn: !GetAtt ApiGatewayLoggingRole.Arn
```

## Use instead
```yaml
# Nothing in the service stack: the platform's account baseline sets API Gateway's logging
# role once. The service only configures its own API's access logs.
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      AccessLogSetting:
        DestinationArn: !GetAtt ApiAccessLogs.Arn
```
"""

from __future__ import annotations

from collections.abc import Iterator

from svc_serverless.linter.model import LoadedRepo
from svc_serverless.linter.rule import Problem, Rule

SINGLETONS = frozenset({
    "AWS::ApiGateway::Account",
    "AWS::Config::ConfigurationRecorder",
    "AWS::Config::DeliveryChannel",
    "AWS::GuardDuty::Detector",
    "AWS::SecurityHub::Hub",
    "AWS::Macie::Session",
    "AWS::Detective::Graph",
    "AWS::ResourceExplorer2::Index",
    "AWS::Logs::AccountPolicy",
    "AWS::EC2::SnapshotBlockPublicAccess",
    "AWS::EC2::VPCBlockPublicAccessOptions",
    "AWS::Glue::DataCatalogEncryptionSettings",
    "AWS::LakeFormation::DataLakeSettings",
    "AWS::IoT::Logging",
    "AWS::IoT::AccountAuditConfiguration",
    "AWS::XRay::TransactionSearchConfig",
    "AWS::SES::VdmAttributes",
    "AWS::Shield::DRTAccess",
    "AWS::Shield::ProactiveEngagement",
    "AWS::FMS::NotificationChannel",
})
ORGANIZATIONS = "AWS::Organizations::"


def check(repo: LoadedRepo) -> Iterator[Problem]:
    template = repo.template
    if template is None:
        return
    for resource in template.resources:
        if resource.type in SINGLETONS or resource.type.startswith(ORGANIZATIONS):
            yield Problem(
                f"{resource.type} '{resource.logical_id}' is an account-wide setting (one per "
                "account and region): service stacks that create it overwrite each other; leave "
                "it to the platform's account baseline",
                node=resource.node.get("Type"),
                path=resource.path("Type"),
                subject=resource.type,
            )


RULE = Rule(
    code="SN009",
    name="no-account-singleton",
    severity="error",
    tags=("share-nothing", "template"),
    doc=__doc__ or "",
    check=check,
)
