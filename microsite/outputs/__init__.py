"""Everything besides the pages, one module per kind: cards, images, feeds, data, search, the zip."""
