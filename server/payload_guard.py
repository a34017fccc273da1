"""On every channel, a typed "/intent{...}" or "/restart" is read as words, not obeyed.

Rasa treats any message starting with "/" as an intent with entities, bypassing NLU: a user could
set slots or restart the conversation by typing one. Only the payloads of the buttons the assistant
just offered, the 👍/👎 of its earlier answers (which set no slot) and the widget's "/greet" that
opens a chat keep that meaning; anything else loses its slashes and goes through NLU like any other
text. Used by the message processor (server/processor.py), so the REST, socket.io and messaging
channels are all covered.
"""

from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import BotUttered

from actions.replies import FEEDBACK_INTENT
from channels.numbered import last_buttons

# Never offered as a button, but what the website widget sends to open a chat.
ALWAYS_ALLOWED_PAYLOADS = {"/greet"}


async def offered_payloads(processor: MessageProcessor, sender_id: str) -> set[str]:
    """The payloads the user may send now: the last bot message's buttons, the 👍/👎 of every
    earlier answer (the widget keeps them under each answer), and the opener."""
    tracker = await processor.tracker_store.retrieve(sender_id)
    if tracker is None:
        return ALWAYS_ALLOWED_PAYLOADS
    feedback = {
        button.get("payload")
        for event in tracker.events
        if isinstance(event, BotUttered)
        for button in event.data.get("buttons") or []
        if (button.get("payload") or "").startswith(FEEDBACK_INTENT + "{")
    }
    offered = {button.get("payload") for button in last_buttons(tracker.events)}
    return ALWAYS_ALLOWED_PAYLOADS | offered | feedback


async def text_to_handle(processor: MessageProcessor, message: UserMessage) -> str:
    """The message's text, without its slashes when it is a payload that was not offered."""
    text = message.text or ""
    if text.lstrip().startswith("/") and text.strip() not in await offered_payloads(
        processor, message.sender_id
    ):
        return text.lstrip().lstrip("/")
    return text
