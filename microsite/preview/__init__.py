"""`build.py serve`: the server, the watcher, a save applied to the last build."""
