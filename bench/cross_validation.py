"""5-fold cross-validation of an NLU pipeline on data/nlu.yml: train on four folds, parse the fifth.

Parsing runs in-process through the trained model (`rasa test nlu --cross-validation` does the same
training but took about 1 s a message to evaluate here).
"""

import os
import subprocess
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

from bench.quality import rasa_intent_predictor
from server.processes import RASA, ROOT

FOLDS = 5


@dataclass
class CrossValidation:
    """Pooled out-of-fold intent accuracy and macro F1, and the most frequent confusions."""

    accuracy: float
    macro_f1: float
    confusions: list[tuple[str, str, int]]


def cross_validate(
    config: Path, nlu_file: Path = ROOT / "data" / "nlu.yml", seed: int = 42
) -> CrossValidation:
    """Train `config` on each 4/5 of the examples (stratified by intent) and score the other 1/5."""
    data = load_data(str(nlu_file))
    examples = data.intent_examples
    intents = [example.get("intent") for example in examples]
    gold, predicted = [], []
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=seed)
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}
    with tempfile.TemporaryDirectory() as workdir:
        for fold, (train_index, test_index) in enumerate(folds.split(examples, intents)):
            training = TrainingData([examples[i] for i in train_index], entity_synonyms=data.entity_synonyms)
            training_file = Path(workdir) / f"fold{fold}.yml"
            training_file.write_text(training.nlu_as_yaml(), encoding="utf-8")
            subprocess.run(
                [str(RASA), "train", "nlu", "-c", str(config), "--nlu", str(training_file),
                 "--out", workdir, "--fixed-model-name", f"fold{fold}"],
                cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            predict = rasa_intent_predictor(Path(workdir) / f"fold{fold}.tar.gz")
            for i in test_index:
                gold.append(intents[i])
                predicted.append(predict(examples[i].get("text")))
    accuracy = sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold)
    macro_f1 = float(f1_score(gold, predicted, labels=sorted(set(gold)), average="macro", zero_division=0))
    pairs = Counter((g, p) for g, p in zip(gold, predicted, strict=True) if g != p)
    return CrossValidation(accuracy, macro_f1, [(g, p, n) for (g, p), n in pairs.most_common(10)])
