"""Loss functions for both engines: a Tensor of predictions, or a list of `Value`s (one per sample).

Each returns the mean over the samples. The numerically delicate ones (binary cross-entropy with
logits, cross-entropy) are computed after shifting by the largest logit, so logits of 1000 are fine.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..tensor import Tensor
from ..tensor_gates import mean_bce_with_logits
from ..value import Value


def mse_loss(pred: Tensor | Sequence[Value], target: Any) -> Tensor | Value:
    """mean((pred - target)^2)."""
    if isinstance(pred, Tensor):
        target = _same_shape(pred, target, "mse_loss")
        return ((pred - target) ** 2).mean()
    preds, targets = _scalars(pred, target, "mse_loss")
    return _mean([(p - t) ** 2 for p, t in zip(preds, targets)])


def hinge_loss(scores: Tensor | Sequence[Value], target: Any) -> Tensor | Value:
    """mean(max(0, 1 - y * score)) for labels y in {-1, +1}: the SVM's max-margin loss."""
    if isinstance(scores, Tensor):
        target = _same_shape(scores, target, "hinge_loss")
        _check_signs(target)
        return (1.0 - target * scores).relu().mean()
    preds, targets = _scalars(scores, target, "hinge_loss")
    _check_signs(np.array(targets))
    return _mean([(1.0 - y * s).relu() for s, y in zip(preds, targets)])


def binary_cross_entropy_with_logits(logits: Tensor | Sequence[Value], target: Any) -> Tensor | Value:
    """mean(-[y log s + (1 - y) log(1 - s)]) with s = sigmoid(logit), for targets y in [0, 1].

    Computed as max(x, 0) - x*y + log(1 + e^-|x|), which never overflows; for Tensors one gate
    (`mean_bce_with_logits`), as PyTorch's own is one node.
    """
    if isinstance(logits, Tensor):
        target = _same_shape(logits, target, "binary_cross_entropy_with_logits")
        _check_probabilities(target, "binary_cross_entropy_with_logits")
        return mean_bce_with_logits(logits, target)
    preds, targets = _scalars(logits, target, "binary_cross_entropy_with_logits")
    _check_probabilities(np.array(targets), "binary_cross_entropy_with_logits")
    terms = []
    for x, y in zip(preds, targets):
        minus_abs = -x if x.data >= 0.0 else x  # -|x|, through the branch that holds here
        terms.append(x.relu() - x * y + (1.0 + minus_abs.exp()).log())
    return _mean(terms)


def cross_entropy(logits: Tensor | Sequence[Sequence[Value]], target: Any) -> Tensor | Value:
    """mean(-log softmax(logits)[label]) for logits of shape (n, classes) and integer labels (n,)."""
    if isinstance(logits, Tensor):
        if logits.ndim != 2:
            raise ValueError(
                f"cross_entropy: logits must have shape (n, classes), got {logits.shape}"
            )
        labels = _labels(target, logits.shape[0], logits.shape[1])
        picked = logits.log_softmax(axis=1)[np.arange(len(labels)), labels]
        return -picked.mean()
    rows = [list(r) for r in logits]
    if not rows or any(not isinstance(v, Value) for r in rows for v in r):
        raise TypeError("cross_entropy: give a Tensor of logits, or a list of rows of Values")
    labels = _labels(target, len(rows), len(rows[0]))
    terms = []
    for row, label in zip(rows, labels):
        # log(sum(exp(z))) = m + log(sum(exp(z - m))) for any constant m: the largest logit keeps
        # every exponent <= 0.
        m = max(v.data for v in row)
        total = (row[0] - m).exp()
        for v in row[1:]:
            total = total + (v - m).exp()
        terms.append(total.log() + m - row[int(label)])
    return _mean(terms)


# ----- checks that say what was wrong -----------------------------------------------------------
def _same_shape(pred: Tensor, target: Any, where: str) -> np.ndarray:
    t = np.asarray(target.data if isinstance(target, Tensor) else target, dtype=np.float64)
    if t.shape != pred.shape:
        hint = ""
        if t.ndim == 1 and pred.shape == (t.shape[0], 1):
            hint = " (reshape the targets: y.reshape(-1, 1))"
        elif pred.ndim == 1 and t.shape == (pred.shape[0], 1):
            hint = " (flatten the targets: y.reshape(-1))"
        raise ValueError(
            f"{where}: predictions have shape {pred.shape} but targets have shape {t.shape}; "
            f"they must match, or broadcasting would compare every prediction with every target{hint}"
        )
    return t


def _scalars(pred: Any, target: Any, where: str) -> tuple[list[Value], list[float]]:
    preds = [pred] if isinstance(pred, Value) else list(pred)
    targets = np.atleast_1d(np.asarray(target, dtype=np.float64)).ravel().tolist()
    if not preds or any(not isinstance(p, Value) for p in preds):
        raise TypeError(f"{where}: give a Tensor of predictions, or a list of Values (one per sample)")
    if len(preds) != len(targets):
        raise ValueError(f"{where}: {len(preds)} predictions but {len(targets)} targets")
    return preds, targets


def _labels(target: Any, n: int, classes: int) -> np.ndarray:
    labels = np.asarray(target.data if isinstance(target, Tensor) else target)
    if labels.shape != (n,):
        raise ValueError(
            f"cross_entropy: {n} rows of logits need {n} integer labels, got an array of shape {labels.shape}"
        )
    as_int = labels.astype(np.intp)
    if not np.array_equal(as_int, labels) or (n and (as_int.min() < 0 or as_int.max() >= classes)):
        raise ValueError(f"cross_entropy: labels must be whole numbers from 0 to {classes - 1}")
    return as_int


def _check_signs(y: np.ndarray) -> None:
    if not np.all((y == 1.0) | (y == -1.0)):
        raise ValueError("hinge_loss: targets must be -1 or +1 (for 0/1 labels use 2 * y - 1)")


def _check_probabilities(y: np.ndarray, where: str) -> None:
    if y.size and not (np.minimum.reduce(y, axis=None) >= 0.0 and np.maximum.reduce(y, axis=None) <= 1.0):
        # (False for a nan too; the ufuncs' own reduce skips ndarray.min's Python wrapper)
        raise ValueError(f"{where}: targets must lie in [0, 1] (labels 0 and 1, or probabilities)")


def _mean(terms: list[Value]) -> Value:
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    return total / len(terms)
