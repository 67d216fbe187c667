"""What lets a build redo only what changed: caches, stamps, dependency keys, the worker pool."""
