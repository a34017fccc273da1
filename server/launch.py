"""The `rasa` command with the assistant's speedups, fault handling and log privacy:
python -m server.launch run ...
"""

import sys

from server.log_privacy import apply_log_privacy
from server.payload_guard import apply_payload_guard
from server.resilience import apply_resilience
from server.speedups import apply_speedups

if __name__ == "__main__":
    apply_speedups()
    apply_resilience()
    apply_log_privacy()
    apply_payload_guard()
    from rasa.__main__ import main

    sys.exit(main())
