"""The `shipyard` command line: one module per subcommand."""
