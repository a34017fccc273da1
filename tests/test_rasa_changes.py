"""The project's changes to Rasa's own classes are all made in one module, and every agent gets them."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.processor import MessageProcessor
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain

from server.long_messages import FOCUS_KEY
from server.processes import MODEL
from server.processor import AssistantProcessor

ROOT = Path(__file__).resolve().parent.parent
THE_ONE_MODULE = ROOT / "server" / "rasa_changes.py"
PROJECT_DIRS = (
    "actions",
    "bench",
    "channels",
    "handout",
    "nlu_addons",
    "scripts",
    "server",
    "staff",
    "triage",
    "web",
)


def names_from_rasa(tree: ast.Module) -> set[str]:
    """The names a module binds to something imported from Rasa (classes, modules)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in ("rasa", "rasa_sdk"):
            names |= {alias.asname or alias.name for alias in node.names}
        elif isinstance(node, ast.Import):
            names |= {
                (alias.asname or alias.name).split(".")[0]
                for alias in node.names
                if alias.name.startswith("rasa")
            }
    return names


def assignments_to_rasa(path: Path) -> list[str]:
    """Each `Name.attribute = ...` (or deeper) in `path` whose Name comes from Rasa."""
    tree = ast.parse(path.read_text(), str(path))
    rasa_names = names_from_rasa(tree)
    found = []
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        for target in targets:
            root = target
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(target, ast.Attribute) and isinstance(root, ast.Name) and root.id in rasa_names:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(target)}")
    return found


def test_no_rasa_attribute_is_assigned_outside_the_one_module():
    files = [path for directory in PROJECT_DIRS for path in (ROOT / directory).rglob("*.py")]
    found = [line for path in files if path != THE_ONE_MODULE for line in assignments_to_rasa(path)]
    assert found == []
    assert len(assignments_to_rasa(THE_ONE_MODULE)) >= 12  # the check sees the ones it allows


def test_the_check_finds_an_assignment(tmp_path):
    path = ROOT / "server" / "_probe_for_the_check.py"
    path.write_text(
        "import rasa.core.agent\nfrom rasa.core.processor import MessageProcessor as P\n"
        "P.run = None\nrasa.core.agent.MessageProcessor = P\nmessage = P()\nmessage.text = 'x'\n"
    )
    try:
        assert [line.split(" ")[1] for line in assignments_to_rasa(path)] == [
            "P.run",
            "rasa.core.agent.MessageProcessor",
        ]
    finally:
        path.unlink()


@pytest.mark.integration
@pytest.mark.integration  # a Python process of its own, importing Rasa and TensorFlow
def test_every_agent_is_built_with_the_assistant_processor_and_applying_twice_changes_nothing():
    check = (
        "import rasa.core.agent\n"
        "from rasa.core.actions.action import RemoteAction\n"
        "from rasa.shared.core.domain import Domain\n"
        "from server.launch import apply_all\n"
        "from server.processor import AssistantProcessor\n"
        "apply_all()\n"
        "def installed():\n"
        "    return rasa.core.agent.MessageProcessor, RemoteAction.run, Domain.states_for_tracker_history\n"
        "first = installed()\n"
        "apply_all()\n"
        "assert installed() == first\n"
        "assert first[0] is AssistantProcessor\n"
    )
    subprocess.run([sys.executable, "-c", check], cwd=ROOT, check=True, timeout=300)


def processor(processor_class: type[MessageProcessor]) -> MessageProcessor:
    return processor_class(
        model_path=str(MODEL),
        tracker_store=InMemoryTrackerStore(Domain.empty()),
        lock_store=InMemoryLockStore(),
        generator=None,
    )


@pytest.mark.integration
async def test_the_assistant_processor_parses_as_rasas_but_for_a_long_message_s_question():
    assert MODEL.exists(), "train first: make train"
    ours, rasas = processor(AssistantProcessor), processor(MessageProcessor)
    for text in (
        "is iastm painful?",
        "what is graston",
        "/greet",
        "I'm nervous. My knee is sore. Is it safe?",
    ):
        assert await ours.parse_message(UserMessage(text)) == await rasas.parse_message(UserMessage(text))
    # Long stories around one question: where the question alone is read more surely than the whole
    # story, ours takes its intent (and says which sentence); everything else stays Rasa's. Which
    # stories DIET misreads whole changes with training, so several are asked and one must be focused.
    stories = {
        "My daughter is 19 and a competitive swimmer, and her team physio has started using scraping tools "
        "on her shoulders. She seems happy with it. What does Graston mean? I'm the worrying type.": (
            "What does Graston mean?"
        ),
        "My knee has been bad since a fall last winter and the doctor gave me a brace and some exercises, "
        "and I do them every day at home. My neighbour goes somewhere that scrapes with metal tools. How is "
        "it different from gua sha? Just curious.": "How is it different from gua sha?",
        "So my back went out at work lifting boxes and I was off for a week, my boss is annoyed and my wife "
        "wants me to see someone. A coworker swears by the scraping thing. Who usually does this treatment? "
        "I have no idea where to start.": "Who usually does this treatment?",
    }
    focused_on = []
    for story, question in stories.items():
        ours_parse = await ours.parse_message(UserMessage(story))
        whole = await rasas.parse_message(UserMessage(story))
        alone = await rasas.parse_message(UserMessage(question))
        if alone["intent"]["confidence"] <= whole["intent"]["confidence"]:
            assert ours_parse == whole
            continue
        focused_on.append(question)
        assert (ours_parse["intent"], ours_parse[FOCUS_KEY]) == (alone["intent"], question)
        assert {**ours_parse, "intent": whole["intent"], "intent_ranking": whole["intent_ranking"]} == {
            **whole,
            FOCUS_KEY: question,
        }
    assert focused_on
