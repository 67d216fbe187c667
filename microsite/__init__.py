"""A static investigative microsite generator: cited facts in YAML and Markdown to a static site."""

# The engine's version: the wheel's (pyproject.toml reads it here), `microsite --version`, and
# what `microsite init` pins a new site to when it was installed from a package index.
__version__ = "0.1.0"
