"""An organisation's own rules, options and waivers, without forking svc.

- `rulefile`, `schema`, `locate`, `build`: declarative rules in JSON Schema, read from rule files,
  checked once, compiled into ordinary Rule/OrgRule records whose findings point at file:line.
- `plugins`: Python rules from installed packages, only those the organisation policy names.
- `ruleset`, `spec`: the run's rules (built-in, plugins, rule files), loaded once per process.
- `organisation`: reading the organisation policy's rules, plugins, options and waivers.
- `local`: rule files a repo's own policy adds.
- `options`, `waivers`: rule options and the organisation's waivers.
- `testing`: `svc rules test`; `settings`: `svc lint --show-settings`.

Nothing here is imported on the gate's path unless a policy uses it.
"""
