"""GitOps: which stacks a change affects, and what it would do to them (`shipyard plan`).

`affected`, `blueprint_summary` and `resource_diff` are pure functions; `git_facts` is the
only module that reads git, and `plan` the only one that renders.
"""
