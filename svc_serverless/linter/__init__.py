"""svc's linter: reads service repos and runs the rules in `svc_serverless.rules` over them."""
