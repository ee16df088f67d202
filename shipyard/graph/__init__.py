"""The picture of a platform (`shipyard graph`): `model` (nodes, groups, edges, layers),
`build` (from a validated `Platform`, each section drawing its part), `diff` (what a change
adds, removes or modifies), `mermaid` (Mermaid flowchart source) and `svg` (rendering).

Import the submodules themselves: the sections import `shipyard.graph.model`, and
`build` imports the sections."""
