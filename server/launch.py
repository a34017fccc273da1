"""The `rasa` command with the assistant's speedups applied: python -m server.launch run ..."""

import sys

from server.speedups import apply_speedups

if __name__ == "__main__":
    apply_speedups()
    from rasa.__main__ import main

    sys.exit(main())
