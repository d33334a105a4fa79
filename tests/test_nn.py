"""The mini framework: modules, the scalar MLP and its tensor twin, losses, optimizers, datasets, training."""

import math

import numpy as np
import pytest

from autograd_core import Tensor, Value, nn

# ----- modules ------------------------------------------------------------------------------------


def test_linear_computes_x_at_w_plus_b_with_pytorch_style_init():
    layer = nn.Linear(3, 5, rng=1)
    assert layer.weight.shape == (3, 5) and layer.bias.shape == (5,)
    bound = 1 / math.sqrt(3)
    assert np.abs(layer.weight.data).max() <= bound and np.abs(layer.bias.data).max() <= bound
    x = np.random.default_rng(2).normal(size=(4, 3))
    np.testing.assert_allclose(layer(x).data, x @ layer.weight.data + layer.bias.data, rtol=1e-15)
    np.testing.assert_array_equal(nn.Linear(3, 5, rng=1).weight.data, layer.weight.data)  # seeded


def test_linear_says_what_input_it_expects():
    with pytest.raises(ValueError, match=r"Linear\(3, 5\) got an input of shape \(4, 2\).*\(n, 3\)"):
        nn.Linear(3, 5)(np.ones((4, 2)))
    with pytest.raises(ValueError, match="in_features must be a positive whole number"):
        nn.Linear(0, 5)


def test_parameters_are_found_in_attributes_submodules_and_lists():
    model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1), nn.Sigmoid())
    params = model.parameters()
    assert [p.shape for p in params] == [(2, 4), (4,), (4, 1), (1,)]
    out = model(np.ones((3, 2))).sum()
    out.backward()
    assert all(p.grad.any() for p in params)
    model.zero_grad()
    assert all(p.grad.shape == p.shape and not p.grad.any() for p in params)

    class Twice(nn.Module):
        def __init__(self):
            self.inner = model
            self.again = [model[0]]  # shared: listed once
            self.scale = Tensor(2.0, label="scale")

        def forward(self, x):
            return self.inner(x) * self.scale

    assert len(Twice().parameters()) == 5
    assert Twice()(np.ones((1, 2))).shape == (1, 1)


def test_a_module_without_forward_says_so():
    with pytest.raises(NotImplementedError, match="must define forward"):
        nn.Module()(1.0)


def test_activation_modules_apply_their_gate():
    x = Tensor([-1.0, 0.5])
    assert nn.ReLU()(x)._op == "relu" and nn.Tanh()(x)._op == "tanh" and nn.Sigmoid()(x)._op == "sigmoid"
    np.testing.assert_allclose(nn.Tanh()(x).data, np.tanh(x.data))


# ----- the scalar MLP and its tensor twin ---------------------------------------------------------
def test_scalar_mlp_has_micrograd_structure():
    mlp = nn.MLP(2, [16, 16, 1], seed=0)
    assert len(mlp.parameters()) == (2 * 16 + 16) + (16 * 16 + 16) + (16 + 1)
    assert all(isinstance(p, Value) for p in mlp.parameters())
    out = mlp([0.5, -1.0])
    assert isinstance(out, Value) and out._op == "+"  # the last layer is linear
    assert mlp.layers[0].neurons[0]([1.0, 2.0])._op == "relu"
    assert len(nn.Layer(3, 4)([1.0, 2.0, 3.0])) == 4
    with pytest.raises(ValueError, match="Neuron with 2 inputs got 3 numbers"):
        mlp([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="activation must be one of"):
        nn.MLP(2, [1], activation="swish")
    with pytest.raises(ValueError, match="nin must be a positive whole number"):
        nn.Neuron(0)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_to_tensor_is_the_same_network(activation):
    mlp = nn.MLP(3, [5, 4, 2], activation=activation, seed=3)
    twin = mlp.to_tensor()
    X = np.random.default_rng(4).normal(size=(6, 3))
    scalar = np.array([[v.data for v in mlp(list(row))] for row in X])
    np.testing.assert_allclose(twin(X).data, scalar, rtol=1e-12, atol=1e-15)
    assert sum(p.data.size for p in twin.parameters()) == len(mlp.parameters())


# ----- losses: the same numbers on both engines, and clear errors --------------------------------
LOSSES = {
    "mse": (nn.mse_loss, lambda rng: rng.normal(size=5)),
    "hinge": (nn.hinge_loss, lambda rng: rng.choice([-1.0, 1.0], size=5)),
    "bce": (nn.binary_cross_entropy_with_logits, lambda rng: rng.random(5)),
}


@pytest.mark.parametrize("name", list(LOSSES))
def test_losses_agree_on_both_engines(name):
    loss, targets = LOSSES[name]
    rng = np.random.default_rng(5)
    preds, y = rng.normal(size=5) * 3, targets(rng)
    t = Tensor(preds)
    values = [Value(p) for p in preds]
    lt, lv = loss(t, y), loss(values, y)
    lt.backward()
    lv.backward()
    assert isinstance(lv, Value) and isinstance(lt, Tensor)
    np.testing.assert_allclose(lv.data, lt.item(), rtol=1e-13)
    np.testing.assert_allclose([v.grad for v in values], t.grad, rtol=1e-12, atol=1e-15)


def test_cross_entropy_agrees_on_both_engines_even_at_1000():
    logits = np.array([[1000.0, 0.0, -3.0], [2.0, 1.0, 0.1], [-1000.0, 1000.0, 999.0]])
    labels = [0, 2, 2]
    t = Tensor(logits)
    rows = [[Value(x) for x in row] for row in logits]
    lt, lv = nn.cross_entropy(t, labels), nn.cross_entropy(rows, labels)
    lt.backward()
    lv.backward()
    assert math.isfinite(lv.data)
    np.testing.assert_allclose(lv.data, lt.item(), rtol=1e-13)
    np.testing.assert_allclose([[v.grad for v in r] for r in rows], t.grad, rtol=1e-12, atol=1e-15)
    # and by hand: -log softmax(z)[label], averaged
    shifted = logits - logits.max(axis=1, keepdims=True)
    by_hand = -(shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True)))[range(3), labels].mean()
    np.testing.assert_allclose(lt.item(), by_hand, rtol=1e-13)


def test_binary_cross_entropy_is_finite_at_logits_of_1000():
    t = Tensor([[1000.0], [-1000.0], [0.0]])
    loss = nn.binary_cross_entropy_with_logits(t, np.array([[0.0], [1.0], [1.0]]))
    loss.backward()
    np.testing.assert_allclose(loss.item(), (1000.0 + 1000.0 + math.log(2)) / 3, rtol=1e-13)
    np.testing.assert_allclose(t.grad.ravel(), np.array([1.0, -1.0, -0.5]) / 3, rtol=1e-13)


def test_loss_errors_say_what_was_wrong():
    pred = Tensor(np.zeros((4, 1)))
    with pytest.raises(ValueError, match=r"predictions have shape \(4, 1\) but targets have shape \(4,\)"
                                         r".*y.reshape\(-1, 1\)"):
        nn.mse_loss(pred, np.zeros(4))
    with pytest.raises(ValueError, match="targets must be -1 or \\+1.*2 \\* y - 1"):
        nn.hinge_loss(pred, np.array([[0.0], [1.0], [1.0], [0.0]]))
    with pytest.raises(ValueError, match=r"targets must lie in \[0, 1\]"):
        nn.binary_cross_entropy_with_logits(pred, np.full((4, 1), 2.0))
    with pytest.raises(ValueError, match="labels must be whole numbers from 0 to 2"):
        nn.cross_entropy(Tensor(np.zeros((2, 3))), [0, 3])
    with pytest.raises(ValueError, match=r"2 rows of logits need 2 integer labels"):
        nn.cross_entropy(Tensor(np.zeros((2, 3))), [0, 1, 2])
    with pytest.raises(ValueError, match="3 predictions but 2 targets"):
        nn.mse_loss([Value(1.0)] * 3, [1.0, 2.0])


# ----- optimizers: PyTorch's update rules, step by step -------------------------------------------
OPTIMIZERS = {
    "sgd": (lambda p: nn.SGD(p, lr=0.1), lambda t, p: t.optim.SGD(p, lr=0.1)),
    "sgd momentum + decay": (
        lambda p: nn.SGD(p, lr=0.05, momentum=0.9, weight_decay=0.01),
        lambda t, p: t.optim.SGD(p, lr=0.05, momentum=0.9, weight_decay=0.01),
    ),
    "adam": (lambda p: nn.Adam(p, lr=0.01), lambda t, p: t.optim.Adam(p, lr=0.01)),
    "adam + decay": (
        lambda p: nn.Adam(p, lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
        lambda t, p: t.optim.Adam(p, lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
    ),
}


@pytest.mark.torch
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_optimizer_matches_pytorch(name, torch):
    ours_opt, theirs_opt = OPTIMIZERS[name]
    X, y = nn.make_blobs(40, centers=3, seed=1)
    model = nn.Sequential(nn.Linear(2, 8, rng=0), nn.Tanh(), nn.Linear(8, 3, rng=1))
    twin = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3)).double()
    with torch.no_grad():
        for p, q in zip(model.parameters(), twin.parameters()):
            q.copy_(torch.tensor(p.data.T if p.ndim == 2 else p.data))
    opt, opt_t = ours_opt(model.parameters()), theirs_opt(torch, twin.parameters())
    tX, ty = torch.tensor(X), torch.tensor(y)
    for _ in range(8):
        opt.zero_grad()
        loss = nn.cross_entropy(model(X), y)
        loss.backward()
        opt.step()
        opt_t.zero_grad()
        loss_t = torch.nn.functional.cross_entropy(twin(tX), ty)
        loss_t.backward()
        opt_t.step()
        np.testing.assert_allclose(loss.item(), loss_t.item(), rtol=1e-9)
    for p, q in zip(model.parameters(), twin.parameters()):
        np.testing.assert_allclose(p.data, q.detach().numpy().T if p.ndim == 2 else q.detach().numpy(),
                                   rtol=1e-9, atol=1e-12)


def test_optimizers_update_values_too():
    w = Value(2.0)
    opt = nn.SGD([w], lr=0.1, momentum=0.5)
    for _ in range(2):
        opt.zero_grad()
        (w * w).backward()
        opt.step()
    # step 1: v = 4, w = 1.6; step 2: g = 3.2, v = 0.5 * 4 + 3.2 = 5.2, w = 1.6 - 0.52
    assert w.data == pytest.approx(1.08, rel=1e-15)
    a = Value(1.0)
    adam = nn.Adam([a], lr=0.1)
    (a * 3.0).backward()
    adam.step()
    assert a.data == pytest.approx(1.0 - 0.1 * 3.0 / (3.0 + 1e-8), rel=1e-12)  # the first step is lr * sign


def test_optimizer_input_errors():
    with pytest.raises(ValueError, match="got no parameters"):
        nn.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="learning rate must be a positive number"):
        nn.Adam([Value(1.0)], lr=0)
    with pytest.raises(TypeError, match="parameters must be Values or Tensors"):
        nn.SGD([np.ones(2)], lr=0.1)
    with pytest.raises(ValueError, match="momentum must be a number in"):
        nn.SGD([Value(1.0)], lr=0.1, momentum=1.5)


# ----- datasets -------------------------------------------------------------------------------------
@pytest.mark.parametrize("make", [nn.make_moons, nn.make_spirals, nn.make_blobs])
def test_datasets_are_seeded(make):
    X, y = make(n_samples=90, seed=3)
    X2, y2 = make(n_samples=90, seed=3)
    X3, _ = make(n_samples=90, seed=4)
    assert X.shape == (90, 2) and y.shape == (90,) and X.dtype == np.float64 and y.dtype == np.int64
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(X, X3)


def test_moons_without_noise_lie_on_two_half_circles():
    X, y = nn.make_moons(101, noise=0.0)
    upper, lower = X[y == 0], X[y == 1]
    assert len(upper) == 50 and len(lower) == 51
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0, rtol=1e-12)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0, rtol=1e-12)
    assert (upper[:, 1] >= -1e-12).all() and (lower[:, 1] <= 0.5 + 1e-12).all()


def test_spirals_and_blobs_have_balanced_classes():
    X, y = nn.make_spirals(301, n_classes=3, noise=0.0)
    assert np.bincount(y).tolist() == [101, 100, 100]
    assert np.hypot(*X.T).max() <= 1.0 + 1e-12
    centers = np.array([[0.0, 0.0], [5.0, 5.0]])
    X, y = nn.make_blobs(200, centers=centers, std=0.5, seed=1)
    assert np.bincount(y).tolist() == [100, 100]
    for c in range(2):
        assert np.linalg.norm(X[y == c].mean(axis=0) - centers[c]) < 0.2
    with pytest.raises(ValueError, match="n_samples must be a whole number"):
        nn.make_moons(1)


# ----- training: both engines, the same losses, 100% on two moons ---------------------------------
@pytest.mark.slow
def test_a_2_16_16_1_mlp_learns_two_moons_on_both_engines_with_the_same_losses():
    X, y = nn.make_moons(100, noise=0.1, seed=0)
    mlp = nn.MLP(2, [16, 16, 1], seed=0)
    twin = mlp.to_tensor()
    opt, opt_twin = nn.Adam(mlp.parameters(), lr=0.05), nn.Adam(twin.parameters(), lr=0.05)
    rows = X.tolist()
    for _ in range(80):
        opt.zero_grad()
        outs = [mlp(r) for r in rows]
        loss = nn.binary_cross_entropy_with_logits(outs, y)
        loss.backward()
        opt.step()

        opt_twin.zero_grad()
        out = twin(X)
        loss_twin = nn.binary_cross_entropy_with_logits(out, y.reshape(-1, 1))
        loss_twin.backward()
        opt_twin.step()

        assert loss.data == pytest.approx(loss_twin.item(), rel=1e-12)
        scalar_acc = np.mean([(o.data > 0) == (t == 1) for o, t in zip(outs, y)])
        tensor_acc = np.mean((out.data.ravel() > 0) == (y == 1))
        if scalar_acc == tensor_acc == 1.0:
            break
    assert scalar_acc == 1.0 and tensor_acc == 1.0, (scalar_acc, tensor_acc)


def test_tensor_mlp_learns_spirals_with_cross_entropy():
    X, y = nn.make_spirals(150, n_classes=3, noise=0.1, seed=0)
    rng = np.random.default_rng(0)
    model = nn.Sequential(
        nn.Linear(2, 32, rng), nn.ReLU(), nn.Linear(32, 32, rng), nn.ReLU(), nn.Linear(32, 3, rng)
    )
    opt = nn.Adam(model.parameters(), lr=0.02)
    for _ in range(400):
        opt.zero_grad()
        loss = nn.cross_entropy(model(X), y)
        loss.backward()
        opt.step()
    accuracy = np.mean(model(X).data.argmax(axis=1) == y)
    assert accuracy > 0.95, accuracy
