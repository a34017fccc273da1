"""The `rasa` command with the assistant's speedups, fault handling, log privacy, payload guard,
question focus for long messages and an answer to each question of a message that asks several:
python -m server.launch run ...
"""

import sys

from server.log_privacy import apply_log_privacy
from server.long_messages import apply_question_focus
from server.payload_guard import apply_payload_guard
from server.prior_states import apply_prior_states
from server.resilience import apply_resilience
from server.speedups import apply_speedups
from server.two_questions import apply_two_questions


def apply_all() -> None:
    """Every change above, in the order that matters (two_questions wraps what payload_guard made)."""
    apply_speedups()
    apply_prior_states()
    apply_resilience()
    apply_log_privacy()
    apply_payload_guard()
    apply_question_focus()
    apply_two_questions()


if __name__ == "__main__":
    apply_all()
    from rasa.__main__ import main

    sys.exit(main())
