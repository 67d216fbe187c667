"""Pass 1, load and validate: YAML with locations, fields, site.yaml, each content file prepared."""
