"""Keep what users type out of the Rasa server's logs.

Rasa's channels log a message's text on some errors (a REST request that timed out logs
`{"text": "...", "event": "rest.message.received.timeout"}`). Every log record's `"text"` fields
are replaced before any handler sees them, so a log file never holds personal data a user typed.
"""

import logging
import re

TEXT_FIELD = re.compile(r'("text"\s*:\s*)"(?:[^"\\]|\\.)*"')
REMOVED = r'\1"[removed]"'
_make_record = logging.getLogRecordFactory()


def record_without_message_text(*args, **kwargs) -> logging.LogRecord:
    """A log record whose message has its "text" fields removed."""
    record = _make_record(*args, **kwargs)
    if isinstance(record.msg, str) and '"text"' in record.msg:
        record.msg = TEXT_FIELD.sub(REMOVED, record.msg)
    return record


def apply_log_privacy() -> None:
    """Install the record factory; call before the Rasa server starts."""
    logging.setLogRecordFactory(record_without_message_text)
