"""Stratified k-fold cross-validation of the embedded engine on the training data."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from sklearn.model_selection import StratifiedKFold

from nlu.embedded import fold_examples, train_model
from nlu.evaluate import score
from nlu.rasa_data import Example


@dataclass(frozen=True, slots=True)
class CrossValidation:
    folds: int
    accuracy_mean: float
    accuracy_sd: float
    macro_f1_mean: float
    macro_f1_sd: float


def cross_validate(examples: Sequence[Example], folds: int = 5, seed: int = 13) -> CrossValidation:
    texts, labels = fold_examples(examples)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    accuracies, macros = [], []
    for train_idx, test_idx in splitter.split(texts, labels):
        model = train_model([examples[i] for i in train_idx])
        predicted = [str(p) for p in model.pipeline.predict([texts[i] for i in test_idx])]
        accuracy, macro, _, _ = score([labels[i] for i in test_idx], predicted)
        accuracies.append(accuracy)
        macros.append(macro)
    return CrossValidation(
        folds=folds,
        accuracy_mean=statistics.fmean(accuracies),
        accuracy_sd=statistics.pstdev(accuracies),
        macro_f1_mean=statistics.fmean(macros),
        macro_f1_sd=statistics.pstdev(macros),
    )
