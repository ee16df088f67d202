"""GitOps: which stacks a change affects, what it would do to them (`shipyard plan`), and
the core of the pull-based reconciler.

`affected`, `blueprint_summary`, `resource_diff`, `backoff`, `decide`, `webhook`,
`engine_errors`, `source_health`, `child_env` and `redact` are pure functions; `git_facts`
and `git_fetch` are the modules that read git, `plan` the only one that renders,
`reconcile_state` the only one that writes reconciler state, `processes` the one that
finds and ends an apply's processes, and `reconciler` wires one reconcile pass around an
injected `Applier`.
"""
