"""The cited answer base (YAML) and the registry of documents it cites."""
