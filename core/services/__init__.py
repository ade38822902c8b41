"""Use cases. Each takes a command, a unit of work (and a clock where time matters) and runs in one transaction."""
