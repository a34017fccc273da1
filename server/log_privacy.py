"""Keep what users type out of the Rasa server's logs.

Rasa's channels log a message's text on some errors: a REST request that timed out logs
`{"text": "...", "event": "rest.message.received.timeout"}` with the JSON renderer, and
`rest.message.received.timeout text='...'` with the console renderer (in colour on a terminal).
Every log record's text fields, in both forms, are replaced before any handler sees them, so a log
file never holds personal data a user typed.
"""

import logging
import re

KEYS = r"(?:text|user_text|user_message|message|response_text|parse_data_text)"
COLOUR = r"(?:\x1b\[[0-9;]*m)*"
JSON_FIELD = re.compile(r'("' + KEYS + r'"\s*:\s*)"(?:[^"\\]|\\.)*"')
STARTS_A_KEY = (
    r"(?:(?<=m)(?<=\x1b\[\d\dm)|(?<=m)(?<=\x1b\[\dm)|(?<![\w\x1b]))"  # after a colour code or a non-word
)
VALUE = r"(?:'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|[^\s\x1b]+)"
CONSOLE_FIELD = re.compile("(" + STARTS_A_KEY + KEYS + COLOUR + "=" + COLOUR + ")" + VALUE)
_make_record = logging.getLogRecordFactory()


def without_message_text(message: str) -> str:
    """`message` with the values of its text fields replaced by [removed]."""
    message = JSON_FIELD.sub(r'\1"[removed]"', message)
    return CONSOLE_FIELD.sub(r"\1[removed]", message)


def record_without_message_text(*args, **kwargs) -> logging.LogRecord:
    """A log record whose message has its text fields removed."""
    record = _make_record(*args, **kwargs)
    if isinstance(record.msg, str):
        record.msg = without_message_text(record.msg)
    return record


def apply_log_privacy() -> None:
    """Install the record factory; call before the Rasa server starts."""
    logging.setLogRecordFactory(record_without_message_text)
