"""The message processor the assistant runs: Rasa's, with what it does to a message as a whole.

Every entry point builds its agent with this class (server/rasa_changes.py makes it the one Rasa's
`Agent` builds): `make run`, the production profile, `make story-tests`, `make nlu-test` and the
benchmark. A message, after its channel's gate (channels/gate.py: bounded work, triage of the whole
text), goes:
1. a message made of several sure questions is handled as its questions, in turn (two_questions);
2. a typed "/intent" payload that was not offered is read as words (payload_guard);
3. Rasa's handling, whose NLU parse reads a long message by its question sentence (long_messages);
   the NLU pipeline itself (config.yml) triages, corrects spelling and recognises advice requests.
A conversation paused for the front desk (actions/handoff_actions.py) is answered only when its
message is an emergency: the emergency reply never waits for a person. (The turn that pauses it
still ends with action_listen, as Rasa's would not, so that the rules match what comes after.)
"""

from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import ConversationPaused, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from nlu_addons.triage_classifier import EMERGENCY_INTENT
from server.long_messages import parse_by_question
from server.payload_guard import text_to_handle
from server.two_questions import parts_to_handle


def paused_in_this_turn(tracker: DialogueStateTracker) -> bool:
    """Whether the conversation was paused after its latest user message (by the turn's action)."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, ConversationPaused):
            return True
    return False


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

    @staticmethod
    def _should_handle_message(tracker: DialogueStateTracker) -> bool:
        """Rasa's rule (a paused conversation is not answered, unless restarted), except that an
        emergency is answered in a paused conversation too, and the turn that paused it ends as
        every turn does (with action_listen, so that rules match the messages after it)."""
        latest = tracker.latest_message
        emergency = latest is not None and latest.intent.get("name") == EMERGENCY_INTENT
        return emergency or paused_in_this_turn(tracker) or MessageProcessor._should_handle_message(tracker)
