#!/usr/bin/env python3
"""Build the site: `python build.py build | check | serve | new KIND NAME`. See README.md."""
import sys
from pathlib import Path

from microsite.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], root=Path(__file__).resolve().parent))
