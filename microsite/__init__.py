"""A static investigative microsite generator: cited facts in YAML and Markdown to a static site."""
