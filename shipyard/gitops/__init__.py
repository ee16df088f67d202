"""GitOps: which stacks a change affects, what it would do to them (`shipyard plan`), and
the core of the pull-based reconciler.

`affected`, `blueprint_summary`, `resource_diff`, `backoff`, `decide` and `webhook` are pure
functions; `git_facts` is the only module that reads git, `plan` the only one that
renders, `reconcile_state` the only one that writes reconciler state, and `reconciler`
wires one reconcile pass around an injected `Applier`.
"""
