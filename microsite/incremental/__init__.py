"""What lets a build redo only what changed: every input's digest, each output's key, the plan of
what to keep and make, and what one build leaves for the next (the caches themselves: `store/`)."""
