"""Pass 3: Markdown and its citations, the pages from the templates, the map."""
