"""A mini framework on the two engines: modules and layers, losses, optimizers and toy datasets."""

from .datasets import make_blobs, make_moons, make_spirals
from .losses import binary_cross_entropy_with_logits, cross_entropy, hinge_loss, mse_loss
from .modules import Linear, Module, ReLU, Sequential, Sigmoid, Tanh
from .optim import SGD, Adam, Optimizer
from .scalar import MLP, Layer, Neuron

__all__ = [
    "MLP",
    "SGD",
    "Adam",
    "Layer",
    "Linear",
    "Module",
    "Neuron",
    "Optimizer",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Tanh",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "hinge_loss",
    "make_blobs",
    "make_moons",
    "make_spirals",
    "mse_loss",
]
