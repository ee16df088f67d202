"""One package per blueprint section (`spec.<key>`): its models, checks, translation into
component Args, resources, and its part of the plan and the cost estimate.
`shipyard.sections.section` is the interface; `shipyard.sections.registry` lists them."""
