"""What users type does not reach the Rasa server's logs."""

import logging

from server.log_privacy import record_without_message_text


def test_text_fields_are_removed_from_log_messages(caplog):
    logging.setLogRecordFactory(record_without_message_text)
    try:
        with caplog.at_level(logging.ERROR):
            logging.getLogger("rasa.core.channels.rest").error(
                '{"text": "my name is Jo Doe, \\"born\\" 1970", "event": "rest.message.received.timeout"}'
            )
            logging.getLogger("x").error("no structured text here")
    finally:
        logging.setLogRecordFactory(logging.LogRecord)
    assert caplog.messages[0] == '{"text": "[removed]", "event": "rest.message.received.timeout"}'
    assert caplog.messages[1] == "no structured text here"
