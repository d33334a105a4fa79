"""Drawing details a student notices: no gradient shown for data that has none."""

import re

import numpy as np

from autograd_core import Tensor
from widgets import draw


def test_a_tensor_without_gradient_shows_no_gradient_row():
    x = Tensor(np.array([1.0, 2.0]), label="x", requires_grad=False)
    W = Tensor(np.array([[1.0], [2.0]]), label="W")
    loss = (x.reshape(1, 2) @ W).sum()
    loss.backward()
    source = draw(loss).source
    x_node = re.search(r"n0 \[.*", source).group(0)
    w_node = re.search(r"n2 \[.*", source).group(0)
    assert "<TD> </TD>" in x_node and "<I>" not in x_node.split("wire")[1]  # no gradient shown
    assert "<I>[1]<BR/>[2]</I>" in w_node  # dloss/dW = x
    assert "<svg" in draw(loss).pipe(format="svg").decode()  # and graphviz draws it
