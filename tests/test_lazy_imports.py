"""Heavy imports only where used: the scalar API needs neither numpy nor Pillow nor matplotlib.

Each case runs in a fresh interpreter (a subprocess), because this test process has numpy loaded already.
The 'blocked' cases install a meta-path finder that makes numpy, PIL and matplotlib unimportable, the way
a JupyterLite kernel without a network is: the scalar lessons must still run.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

BLOCKER = """
import sys
class _Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('numpy', 'PIL', 'matplotlib'):
            raise ModuleNotFoundError(f"No module named {name!r} (blocked by the test)", name=name)
        return None
sys.meta_path.insert(0, _Blocker())
"""


def run_python(code: str, blocked: bool = False) -> subprocess.CompletedProcess:
    source = (BLOCKER if blocked else "") + textwrap.dedent(code)
    return subprocess.run([sys.executable, "-c", source], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def test_scalar_api_imports_no_numpy_pillow_or_matplotlib():
    done = run_python("""
        import sys
        from autograd_core import Value, gate, gradcheck, graph, stage, topological_order
        import widgets
        from widgets import GraphStepper, GradCheckView, Overview, TopoSortPlayer, draw
        from widgets import exercises as ex
        heavy = sorted(m for m in ('numpy', 'PIL', 'matplotlib') if m in sys.modules)
        print('HEAVY', heavy)
    """)
    assert done.returncode == 0, done.stderr
    assert "HEAVY []" in done.stdout


def test_tensor_and_nn_still_import_by_name_and_bring_numpy():
    done = run_python("""
        import sys
        import autograd_core
        from autograd_core import Tensor, nn
        assert autograd_core.Tensor is Tensor and autograd_core.nn is nn
        x = Tensor([1.0, 2.0])
        ((x * 3.0) * x).sum().backward()  # d/dx sum(3 x^2) = 6 x
        print('GRAD', x.grad.tolist(), 'numpy' in sys.modules)
        print('DIR', 'Tensor' in dir(autograd_core), 'nn' in dir(autograd_core))
    """)
    assert done.returncode == 0, done.stderr
    assert "GRAD [6.0, 12.0] True" in done.stdout
    assert "DIR True True" in done.stdout


def test_unknown_names_still_raise_attribute_error():
    import autograd_core
    import widgets

    with pytest.raises(AttributeError, match="no attribute 'Tensr'"):
        autograd_core.Tensr  # noqa: B018
    with pytest.raises(AttributeError, match="no attribute 'GraphSteper'"):
        widgets.GraphSteper  # noqa: B018


def test_scalar_lesson_runs_with_numpy_pillow_matplotlib_unimportable():
    # ARTICLE.md's MSE example, stepped to the end: loss 196, dL/dw 112, dL/dx -84, dL/dy 28.
    done = run_python("""
        import xml.etree.ElementTree as ET
        from autograd_core import Value, gradcheck
        from widgets import GraphStepper, TopoSortPlayer, draw
        from widgets import exercises as ex
        w, x, y = Value(3.0, label='w'), Value(-4.0, label='x'), Value(2.0, label='y')
        loss = (w * x - y) ** 2
        loss.label = 'loss'
        s = GraphStepper(loss)
        s.next_button.click()
        while s.phase != 'done':
            s.next()
        texts = {''.join(t.itertext()).strip() for t in ET.fromstring(s.svg).iter('{http://www.w3.org/2000/svg}text')}
        print('VALUES', s.values['loss'], [s.grads[k] for k in 'wxy'])
        print('SVG', '196.0000' in texts and '112.0000' in texts)
        print('DRAW', '<svg' in draw(loss)._repr_mimebundle_()['image/svg+xml'])
        player = TopoSortPlayer(loss)
        player.last()
        print('TOPO', player.phase)
        print('CHECK', all(c.ok for c in gradcheck.check_graph(loss)))
    """, blocked=True)
    assert done.returncode == 0, done.stderr
    assert "VALUES 196.0 [112.0, -84.0, 28.0]" in done.stdout
    assert "SVG True" in done.stdout
    assert "DRAW True" in done.stdout
    assert "TOPO done" in done.stdout
    assert "CHECK True" in done.stdout


def test_tensor_without_numpy_says_what_to_install():
    done = run_python("""
        try:
            from autograd_core import Tensor
        except ModuleNotFoundError as e:
            print('ERROR', e)
    """, blocked=True)
    assert done.returncode == 0, done.stderr
    assert "ERROR autograd_core.Tensor needs numpy" in done.stdout
    assert "Value) works without it" in done.stdout


def test_every_public_name_stays_what_it_is_once_every_submodule_is_imported():
    """A submodule named like a public function (`widgets.draw`) would replace the function with the module
    as soon as anything imported it: `from widgets import draw` then fails, depending on test order."""
    import importlib
    import pkgutil
    import types

    import widgets

    for info in pkgutil.walk_packages(widgets.__path__, "widgets."):
        if not info.name.endswith("wasm_layout"):  # needs Pyodide's `js`
            importlib.import_module(info.name)
    for name in widgets.__all__:
        assert not isinstance(getattr(widgets, name), types.ModuleType), f"widgets.{name} became a module"
