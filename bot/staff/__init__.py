"""Staff tools over the anonymized request log: CLI commands (cli.py) and the desk (routes.py)."""
