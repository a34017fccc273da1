"""`python -m triage` (run by `make train`): train the triage classifier now, not when a server starts."""

from triage.triage import load_triage

load_triage()
