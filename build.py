#!/usr/bin/env python3
"""Build the site: `python build.py build | check | serve | new KIND NAME`. See README.md."""
import shlex
import sys
from pathlib import Path

try:
    from microsite.cli import main
except ModuleNotFoundError as exc:  # run by a Python without the engine's packages (no .venv)
    if exc.name and exc.name.split(".")[0] == "microsite":
        raise
    print(f"build.py: the package '{exc.name}' is missing from this Python; run make site first (it makes .venv), "
          f"then .venv/bin/python build.py {shlex.join(sys.argv[1:])}".rstrip(), file=sys.stderr)
    sys.exit(2)

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], root=Path(__file__).resolve().parent))
