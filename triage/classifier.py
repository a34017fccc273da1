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
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline, make_pipeline

from triage.examples import NONE, ROOT, Example
from triage.text import normal_form

CACHE = ROOT / "models" / "triage-classifier.pkl"
REGULARISATION = 100.0  # chosen by 5-fold cross-validation on the training data (docs/safety.md)


def fit_pipeline(examples: list[Example], regularisation: float = REGULARISATION) -> Pipeline:
    """The scikit-learn pipeline, trained on the examples in normal form."""
    features = FeatureUnion(
        [
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True)),
            ("words", TfidfVectorizer(ngram_range=(1, 2), token_pattern=r"[a-z0-9']+", sublinear_tf=True)),
        ]
    )
    model = LogisticRegression(C=regularisation, class_weight="balanced", max_iter=3000)
    pipeline = make_pipeline(features, model)
    pipeline.fit([normal_form(e.text) for e in examples], [e.label for e in examples])
    return pipeline


class EmergencyClassifier:
    """P(emergency) and the likeliest category of texts in normal form.

    Trained with scikit-learn, it predicts with the trained numbers alone (each vectorizer's n-gram
    analyser, vocabulary and idf, the model's weights): the same probabilities as the pipeline's
    predict_proba (a test compares them), without its per-call overhead of several milliseconds.
    """

    def __init__(self, examples: list[Example], regularisation: float = REGULARISATION) -> None:
        pipeline = fit_pipeline(examples, regularisation)
        union, model = pipeline.steps[0][1], pipeline.steps[1][1]
        self._blocks = []
        offset = 0
        for _, vectorizer in union.transformer_list:
            self._blocks.append(
                (vectorizer.build_analyzer(), vectorizer.vocabulary_, vectorizer.idf_, offset)
            )
            offset += len(vectorizer.vocabulary_)
        self._weights = np.ascontiguousarray(model.coef_.T)  # features x classes
        self._intercept = model.intercept_
        self._classes = list(model.classes_)

    def probabilities(self, text: str) -> np.ndarray:
        """Each class's probability for one text (in the order of the model's classes)."""
        logits = self._intercept.copy()
        for analyse, vocabulary, idf, offset in self._blocks:
            counts = Counter(index for gram in analyse(text) if (index := vocabulary.get(gram)) is not None)
            if not counts:
                continue
            indices = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            values = (1.0 + np.log(np.fromiter(counts.values(), dtype=float, count=len(counts)))) * idf[
                indices
            ]
            logits += (values / np.linalg.norm(values)) @ self._weights[indices + offset]
        exponentials = np.exp(logits - logits.max())
        return exponentials / exponentials.sum()

    def scores(self, texts: list[str], excluded: frozenset[str] = frozenset()) -> list[tuple[float, str]]:
        """For each text: the probability that it is an emergency of a category not `excluded`, and
        the likeliest such category."""
        kept = [i for i, c in enumerate(self._classes) if c != NONE and c not in excluded]
        results = []
        for text in texts:
            row = self.probabilities(text)[kept]
            results.append((float(row.sum()), self._classes[kept[int(np.argmax(row))]]))
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
