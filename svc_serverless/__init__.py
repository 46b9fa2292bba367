"""svc: scaffold and lint share-nothing serverless microservice repositories on AWS.

One import namespace for the three parts (`linter`, `rules`, `scaffold`), so svc neither
shadows nor is shadowed by another distribution's generic top-level package, and a scanned
repo's own `rules/` or `linter/` folder can never be imported in svc's place. The version of
svc lives here because every part refers to it (scaffold records it, reports print it).
"""

from __future__ import annotations

__version__ = "0.2.0"
