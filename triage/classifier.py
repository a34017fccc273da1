"""The trained part of triage: a linear model over character and word n-grams.

Character n-grams (2 to 5, within words) carry typos, slang and Spanish word forms; word unigrams
and bigrams carry phrases. Logistic regression gives each emergency category and `none` a
probability; the emergency probability is one minus that of `none`. Training takes about 20 s on
2 cores, so the trained model is kept in models/triage-classifier.pkl with a fingerprint of its
examples and settings: `make train` writes it, and a process that finds it missing or stale trains
and writes it again. Nothing is downloaded.
"""

import hashlib
import os
import pickle
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, make_pipeline

from triage.examples import NONE, ROOT, Example

CACHE = ROOT / "models" / "triage-classifier.pkl"
REGULARISATION = 100.0  # chosen by 5-fold cross-validation on the training data (docs/safety.md)


class EmergencyClassifier:
    """P(emergency) and the likeliest category of texts in normal form."""

    def __init__(self, examples: list[Example], regularisation: float = REGULARISATION) -> None:
        features = FeatureUnion(
            [
                (
                    "chars",
                    TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True),
                ),
                (
                    "words",
                    TfidfVectorizer(ngram_range=(1, 2), token_pattern=r"[a-z0-9']+", sublinear_tf=True),
                ),
            ]
        )
        model = LogisticRegression(C=regularisation, class_weight="balanced", max_iter=3000)
        self._pipeline = make_pipeline(features, model)
        self._pipeline.fit([e.text for e in examples], [e.label for e in examples])
        self._classes = list(model.classes_)
        self._none = self._classes.index(NONE)

    def scores(self, texts: list[str]) -> list[tuple[float, str]]:
        """For each text: the probability that it is an emergency, and its likeliest category."""
        if not texts:
            return []
        probabilities = self._pipeline.predict_proba(texts)
        results = []
        for row in probabilities:
            emergency = np.delete(row, self._none)
            categories = [c for c in self._classes if c != NONE]
            results.append((float(1.0 - row[self._none]), categories[int(np.argmax(emergency))]))
        return results


def fingerprint(examples: list[Example], regularisation: float = REGULARISATION) -> str:
    """What a trained classifier depends on: its examples, its settings and this module's code."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(repr(regularisation).encode())
    for example in examples:
        digest.update(f"{example.label}\t{example.text}\n".encode())
    return digest.hexdigest()


def load_or_train(examples: list[Example], cache: Path = CACHE) -> EmergencyClassifier:
    """The classifier for `examples`: from `cache` when it was trained on them, else trained now
    and written there (atomically, so processes starting together never read half a file)."""
    wanted = fingerprint(examples)
    if cache.exists():
        with cache.open("rb") as stored:
            found, classifier = pickle.load(stored)  # written by this function only
        if found == wanted:
            return classifier
    classifier = EmergencyClassifier(examples)
    cache.parent.mkdir(parents=True, exist_ok=True)
    partial = cache.with_suffix(f".{os.getpid()}.tmp")
    with partial.open("wb") as stored:
        pickle.dump((wanted, classifier), stored)
    partial.replace(cache)
    return classifier
