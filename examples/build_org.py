"""Rebuild examples/org: five services made by `svc new`, then edited to make cross-repo mistakes.

    python examples/build_org.py        # replaces examples/org

Run it after the service template changes, then update the expected findings in
tests/test_example_org.py. Every edit below is a mistake a real organisation makes:

- billing  <-> orders   each consumes the other's events: a dependency cycle (ORG005);
- shipping               consumes `inventory/StockReserved`, which nobody publishes (ORG003),
                         hard-codes billing's table ARN (SN003) and reads billing's SSM
                         parameter (SN004, ORG006);
- payments, payments-v2  a copied repo that still calls itself `payments` (ORG001);
- every service          publishes Updated/Deleted events nobody consumes yet (ORG004 warnings).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORG = HERE / "org"

SERVICES = [
    ("billing", "team-billing", "invoice"),
    ("orders", "team-orders", "order"),
    ("shipping", "team-logistics", "shipment"),
    ("payments", "team-payments", "payment"),
    ("payments-v2", "team-payments", "payment"),
]

# The end of the receiver's queue event (the publisher's stream event ends the same way).
RECEIVER_EVENTS_ANCHOR = "              - ReportBatchItemFailures\n\n  # The transactional outbox's relay"


def consume(root: Path, events: list[tuple[str, str]]) -> None:
    """Declare consumed events in the manifest and subscribe the receiver to them."""
    manifest = root / "catalog-info.yaml"
    declared = "".join(f"        - source: {s}\n          detailType: {d}\n" for s, d in events)
    text = manifest.read_text(encoding="utf-8")
    if "      consumes: []\n" in text:
        manifest.write_text(text.replace("      consumes: []\n", "      consumes:\n" + declared), encoding="utf-8")
    else:  # the workflow's trigger already consumes the service's own event
        edit(manifest, "      consumes:\n", "      consumes:\n" + declared)
    rules = "".join(
        f"        {s.title()}{d}:\n"
        f"          Type: EventBridgeRule\n"
        f"          Properties:\n"
        f"            Pattern:\n"
        f"              source: [{s}]\n"
        f"              detail-type: [{d}]\n"
        for s, d in events
    )
    first_line = RECEIVER_EVENTS_ANCHOR.split("\n", 1)[0] + "\n"
    edit(root / "template.yaml", RECEIVER_EVENTS_ANCHOR, first_line + rules + RECEIVER_EVENTS_ANCHOR[len(first_line):])


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    if text.count(old) != 1:
        raise SystemExit(f"{path}: expected exactly one {old!r}; the template changed, update build_org.py")
    path.write_text(text.replace(old, new), encoding="utf-8")


def rename_service(root: Path, old: str, new: str) -> None:
    """What a copy-pasted repo looks like: the folder is new, the manifest still says the old name."""
    edit(root / "catalog-info.yaml", f"  name: {new}\n", f"  name: {old}\n")
    answers = json.loads((root / ".svc" / "answers.json").read_text(encoding="utf-8"))
    answers["answers"]["service_name"] = old
    (root / ".svc" / "answers.json").write_text(json.dumps(answers, indent=2) + "\n", encoding="utf-8")
    for path in (root / "catalog-info.yaml", root / "template.yaml"):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace(f"/{new}/", f"/{old}/").replace(f"source: {new}\n", f"source: {old}\n")
                        .replace(f"events:source: {new}\n", f"events:source: {old}\n")
                        # the workflow's trigger: a rule on the service's own events
                        .replace(f"source:\n          - {new}\n", f"source:\n          - {old}\n"),
                        encoding="utf-8")


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        staging = Path(tmp) / "org"
        staging.mkdir()
        for name, owner, entity in SERVICES:
            subprocess.run(
                [sys.executable, "-m", "svc_serverless", "new", name, "--owner", owner, "--no-git",
                 "--data", f"entity={entity}", "-o", str(staging)],
                check=True, cwd=HERE.parent, stdout=subprocess.DEVNULL,
            )
        consume(staging / "billing", [("orders", "OrderCreated")])
        consume(staging / "orders", [("billing", "InvoiceCreated")])
        consume(staging / "shipping", [("orders", "OrderCreated"), ("inventory", "StockReserved")])
        edit(staging / "shipping" / "template.yaml", "    Environment:\n      Variables:\n",
             "    Environment:\n      Variables:\n"
             "        BILLING_TABLE_ARN: arn:aws:dynamodb:eu-west-1:123456789012:table/billing-invoices\n"
             "        BILLING_API_URL: '{{resolve:ssm:/billing/api-url}}'\n")
        rename_service(staging / "payments-v2", "payments", "payments-v2")
        if ORG.exists():
            shutil.rmtree(ORG)
        shutil.move(str(staging), ORG)
    print(f"rebuilt {ORG.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
