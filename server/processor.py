"""The message processor the assistant runs: Rasa's, with what it does to a message as a whole.

Every entry point builds its agent with this class (server/rasa_changes.py makes it the one Rasa's
`Agent` builds): `make run`, the production profile, `make story-tests`, `make nlu-test` and the
benchmark. A message, after its channel's gate (channels/gate.py: bounded work, triage of the whole
text), goes:
1. a message made of several sure questions is handled as its questions, in turn (two_questions);
2. a typed "/intent" payload that was not offered is read as words (payload_guard);
3. Rasa's handling, whose NLU parse reads a long message by its question sentence (long_messages);
   the NLU pipeline itself (config.yml) triages, corrects spelling and recognises advice requests.
"""

from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.core.trackers import DialogueStateTracker

from server.long_messages import parse_by_question
from server.payload_guard import text_to_handle
from server.two_questions import parts_to_handle


class AssistantProcessor(MessageProcessor):
    """Rasa's `MessageProcessor` with question splitting, the payload guard and question focus."""

    async def handle_message(self, message: UserMessage):
        """Each question of a message that asks several in turn (the replies of all come back),
        or the message whole, with a payload that was not offered read as words."""
        parts = await parts_to_handle(self, message)
        if not parts:
            message.text = await text_to_handle(self, message)
            return await super().handle_message(message)
        replies = None
        for part in parts:
            replies = await super().handle_message(part)
        return replies  # a collecting channel holds every part's replies

    def _parse_message_with_graph(
        self, message: UserMessage, tracker: DialogueStateTracker, only_output_properties: bool = True
    ) -> dict:
        """Rasa's NLU parse, reading a long message by its question sentence (long_messages)."""
        parse_with_graph = super()._parse_message_with_graph
        return parse_by_question(
            lambda part: parse_with_graph(part, tracker, only_output_properties), message
        )
