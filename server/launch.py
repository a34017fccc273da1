"""The `rasa` command with the assistant's speedups and stand-in replies: python -m server.launch run ..."""

import sys

from server.resilience import apply_resilience
from server.speedups import apply_speedups

if __name__ == "__main__":
    apply_speedups()
    apply_resilience()
    from rasa.__main__ import main

    sys.exit(main())
