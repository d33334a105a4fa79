"""Seeded toy datasets in two dimensions (moons, spirals, blobs): each returns X (n, 2) and labels y (n,)."""

from __future__ import annotations

import numpy as np


def make_moons(n_samples: int = 100, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (labels 0 and 1), with Gaussian noise of std `noise`."""
    n = _count(n_samples, 2)
    rng = np.random.default_rng(seed)
    n_upper = n // 2
    n_lower = n - n_upper
    t_upper = np.linspace(0.0, np.pi, n_upper)
    t_lower = np.linspace(0.0, np.pi, n_lower)
    upper = np.stack([np.cos(t_upper), np.sin(t_upper)], axis=1)
    lower = np.stack([1.0 - np.cos(t_lower), 0.5 - np.sin(t_lower)], axis=1)
    X = np.concatenate([upper, lower]) + rng.normal(scale=_noise(noise), size=(n, 2))
    y = np.concatenate([np.zeros(n_upper, dtype=np.int64), np.ones(n_lower, dtype=np.int64)])
    return _shuffled(X, y, rng)


def make_spirals(n_samples: int = 300, n_classes: int = 3, noise: float = 0.2,
                 seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """`n_classes` arms winding out from the centre (the CS231n spiral), labels 0 .. n_classes - 1."""
    n = _count(n_samples, n_classes)
    k = _count(n_classes, 2, "n_classes")
    rng = np.random.default_rng(seed)
    sizes = [n // k + (1 if c < n % k else 0) for c in range(k)]
    Xs, ys = [], []
    for c, m in enumerate(sizes):
        r = np.linspace(0.0, 1.0, m)
        t = np.linspace(c * 4.0, (c + 1) * 4.0, m) + rng.normal(scale=_noise(noise), size=m)
        Xs.append(np.stack([r * np.sin(t), r * np.cos(t)], axis=1))
        ys.append(np.full(m, c, dtype=np.int64))
    return _shuffled(np.concatenate(Xs), np.concatenate(ys), rng)


def make_blobs(n_samples: int = 300, centers: int | np.ndarray = 3, std: float = 1.0,
               seed: int = 0, box: tuple[float, float] = (-10.0, 10.0)) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian clusters of std `std` around `centers` (a count, drawn uniformly in `box`, or an array)."""
    rng = np.random.default_rng(seed)
    if isinstance(centers, (int, np.integer)) and not isinstance(centers, bool):
        k = _count(centers, 1, "centers")
        points = rng.uniform(box[0], box[1], size=(k, 2))
    else:
        points = np.asarray(centers, dtype=np.float64)
        if points.ndim != 2 or points.shape[1] != 2 or len(points) == 0:
            raise ValueError(
                f"make_blobs: centers must be a count or an array of shape (k, 2), got {points.shape}"
            )
        k = len(points)
    n = _count(n_samples, k)
    sizes = [n // k + (1 if c < n % k else 0) for c in range(k)]
    X = np.concatenate([rng.normal(points[c], _noise(std), size=(m, 2)) for c, m in enumerate(sizes)])
    y = np.concatenate([np.full(m, c, dtype=np.int64) for c, m in enumerate(sizes)])
    return _shuffled(X, y, rng)


def _shuffled(X: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    order = rng.permutation(len(y))
    return X[order], y[order]


def _count(n: object, minimum: int, what: str = "n_samples") -> int:
    if isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= minimum:
        return int(n)
    raise ValueError(f"{what} must be a whole number >= {minimum}, got {n!r}")


def _noise(x: object) -> float:
    if isinstance(x, (int, float)) and x >= 0:
        return float(x)
    raise ValueError(f"the noise (a standard deviation) must be a number >= 0, got {x!r}")
