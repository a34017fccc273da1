"""The `rasa` command with the assistant's changes to Rasa (server/rasa_changes.py: speed fixes,
stand-in replies, the message processor with question splitting, the payload guard and question
focus) and no typed text in its logs: python -m server.launch run ...
"""

import sys

from server.log_privacy import apply_log_privacy
from server.rasa_changes import apply_rasa_changes


def apply_all() -> None:
    """Every change above; call before an agent is loaded."""
    apply_rasa_changes()
    apply_log_privacy()


if __name__ == "__main__":
    apply_all()
    from rasa.__main__ import main

    sys.exit(main())
