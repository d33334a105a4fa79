"""Exercise checkers for the notebooks: compare a student's answer with the engine and say what is wrong.

Every checker answers at once with a `Feedback`: "correct", "not quite" (which input is wrong, a hint
such as "a multiply gate swaps its inputs: multiply the upstream -28 by the local -4", and the graph
with the wrong node outlined) or "not answered yet" when a `...` is still in place, so that a notebook
with unanswered exercises still runs from top to bottom. A first wrong answer gets the hint without
the expected value, so that there is something left to work out; a second wrong answer to the same
exercise (or `reveal()`) states the expected value and the finished arithmetic. Expected values
always come from the engine itself (a fresh backward pass, a gate's own rule); nothing here computes
a gradient by other means.

In a notebook a checker displays its feedback as soon as it is called; outside IPython it prints it.
"""

from __future__ import annotations

import html
import inspect
import math
import numbers
import types
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from autograd_core import Gate, Value, gate, graph, stage
from autograd_core.node import gate_of, gate_params, local_gradients

# What a student leaves in an exercise cell until they answer it.
UNANSWERED = Ellipsis

# Okabe-Ito colours, each paired with a symbol and a word (never colour alone).
_STYLE = {
    "correct": ("\u2714", "#009E73", "correct"),
    "wrong": ("\u2718", "#D55E00", "not quite"),
    "unanswered": ("\u2026", "#7a7a7a", "not answered yet"),
}


# ----- feedback -----------------------------------------------------------------------------------
@dataclass
class Item:
    """The verdict on one part of an answer (one gradient, one input of a gate, ...)."""

    name: str
    status: str  # "correct", "wrong" or "unanswered"
    message: str = ""  # the whole verdict, with the expected value
    hint: str = ""  # the whole hint, with its result
    first: str = ""  # a first wrong try: the verdict without the expected value ("" = the same)
    first_hint: str = ""  # a first wrong try: the hint without its result ("" = the same)

    def shown(self, revealed: bool) -> tuple[str, str]:
        """(message, hint) as shown: the expected value only once revealed."""
        if revealed or self.status != "wrong":
            return self.message, self.hint
        return self.first or self.message, self.first_hint or self.hint


@dataclass
class Feedback:
    """What a checker says: a title, an overall status, one line per part, and a graph to look at."""

    title: str
    status: str
    items: list[Item] = field(default_factory=list)
    note: str = ""
    root: Any = None  # a graph to draw under the feedback...
    highlight: Any = None  # ...with this node (or nodes) outlined
    revealed: bool = True  # False on a first wrong try: hints, not the expected values
    _shown: bool = field(default=False, repr=False)

    @property
    def ok(self) -> bool:
        return self.status == "correct"

    @property
    def answered(self) -> bool:
        return self.status != "unanswered"

    def text(self) -> str:
        symbol, _, word = _STYLE[self.status]
        lines = [f"{symbol} {self.title}: {word}."]
        if self.status == "unanswered":
            waiting = [i.name for i in self.items if i.status == "unanswered"]
            what = f" (still to answer: {', '.join(waiting)})" if waiting and waiting != [""] else ""
            lines[0] += f" Replace each ... with your answer{what}, then run the cell again."
        hidden = False
        for item in self.items:
            if item.status == "unanswered" or not item.message:
                continue
            mark = _STYLE[item.status][0]
            message, hint = item.shown(self.revealed)
            hidden |= (message, hint) != (item.message, item.hint)
            lines.append(f"  {mark} {message}")
            if hint and item.status == "wrong":
                lines.append(f"      Hint: {hint}")
        if hidden:
            lines.append("  Try again: a second wrong answer shows the expected value (or run ex.reveal()).")
        if self.note:
            lines.append(f"  {self.note}")
        if self.highlight is not None and self.status == "wrong":
            lines.append("  The graph below outlines the node to look at.")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        symbol, colour, word = _STYLE[self.status]
        head = f"<b>{symbol} {html.escape(self.title)}: {word}.</b>"
        body = []
        text_lines = self.text().split("\n")
        head_rest = text_lines[0].split(f"{word}.", 1)[1] if f"{word}." in text_lines[0] else ""
        if head_rest.strip():
            head += html.escape(head_rest)
        for line in text_lines[1:]:
            stripped = line.strip()
            if stripped.startswith("Hint:"):
                body.append(f"<div style='margin-left:2.2em'><i>{html.escape(stripped)}</i></div>")
            else:
                body.append(f"<div style='margin-left:1em'>{html.escape(stripped)}</div>")
        return (
            f"<div class='bp-exercise-feedback bp-{self.status}' style='border-left:6px solid {colour};"
            f"padding:0.4em 0.8em;margin:0.3em 0;font-family:sans-serif;line-height:1.45'>"
            f"{head}{''.join(body)}</div>"
        )

    def graph_svg(self) -> str | None:
        """The graph with the wrong node outlined, as SVG text, or None (no graph, or no graphviz)."""
        if self.root is None or self.status != "wrong":
            return None
        try:
            from . import draw  # late: the drawing module imports graphviz
        except ImportError:
            return None
        # A copy with its backward pass run, so the picture shows the numbers the hints talk about.
        shown, copies = graph.clone(self.root)
        shown.backward()
        marks = self.highlight
        if marks is not None:
            marks = [copies[id(n)] for n in (marks if isinstance(marks, (list, tuple)) else [marks])]
        try:
            return draw(shown, highlight=marks).pipe(format="svg", encoding="utf-8")
        except Exception as err:  # graphviz missing or broken: the text feedback still stands
            return f"<p><i>(the graph could not be drawn: {html.escape(str(err))})</i></p>"

    def _ipython_display_(self) -> None:
        if self._shown:  # already shown by the checker itself; do not repeat as the cell's result
            return
        self._shown = True
        from IPython.display import display

        display({"text/plain": self.text(), "text/html": self._repr_html_()}, raw=True)
        svg = self.graph_svg()
        if svg is not None:
            display({"text/plain": "(graph)", "text/html": svg}, raw=True)


# Wrong answers so far, per exercise (by title): the expected value is stated from the second on.
_wrong_tries: dict[str, int] = {}
_last_wrong: list[Feedback] = []


def reveal() -> Feedback | None:
    """Show the expected values (and the finished hints) of the last exercise answered wrongly."""
    if not _last_wrong:
        print("Nothing to reveal: no exercise has been answered wrongly yet.")
        return None
    from dataclasses import replace

    return _show(replace(_last_wrong[-1], revealed=True, _shown=False))


def _report(feedback: Feedback) -> Feedback:
    """Show the feedback now (display in IPython, print elsewhere) and return it for inspection.

    The first wrong answer to an exercise gets hints only; from the second on, the expected values.
    """
    _graph_names.clear()
    if feedback.status == "wrong":
        tries = _wrong_tries[feedback.title] = _wrong_tries.get(feedback.title, 0) + 1
        feedback.revealed = tries > 1
        _last_wrong[:] = [feedback]
    elif feedback.status == "correct":
        _wrong_tries.pop(feedback.title, None)
    return _show(feedback)


def _show(feedback: Feedback) -> Feedback:
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:
        shell = None
    if shell is not None:
        from IPython.display import display

        display(feedback)
    else:
        print(feedback.text())
        feedback._shown = True
    return feedback


def _overall(items: Sequence[Item]) -> str:
    statuses = {i.status for i in items}
    if "wrong" in statuses:
        return "wrong"
    if "unanswered" in statuses:
        return "unanswered"
    return "correct"


# ----- reading an answer --------------------------------------------------------------------------
class _NotANumber(Exception):
    pass


def is_unanswered(answer: Any) -> bool:
    """True while the `...` placeholder is still there (in a value, a container or a function)."""
    if answer is UNANSWERED:
        return True
    if isinstance(answer, (tuple, list)):
        return any(is_unanswered(a) for a in answer)
    if isinstance(answer, Gate):
        return _code_has_ellipsis(answer.rule)
    if isinstance(answer, types.FunctionType):
        return _code_has_ellipsis(answer)
    return False


def _code_has_ellipsis(fn: Callable) -> bool:
    code = getattr(fn, "__code__", None)
    if code is None:
        return False
    stack = [code]
    while stack:
        c = stack.pop()
        consts = list(c.co_consts)
        while consts:
            const = consts.pop()
            if const is Ellipsis:
                return True
            if isinstance(const, types.CodeType):
                stack.append(const)
            elif isinstance(const, (tuple, frozenset)):  # `(..., ...)` is folded into one constant
                consts.extend(const)
    return False


def _as_number(answer: Any, name: str) -> float:
    if isinstance(answer, Value):
        raise _NotANumber(
            f"{name}: you gave a Value ({answer!r}); give its number instead, e.g. `.grad` or `.data`"
        )
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise _NotANumber(f"{name}: expected a number, got {type(answer).__name__} {answer!r}")
    return float(answer)


def close(answer: float, expected: float, rel_tol: float = 5e-4, abs_tol: float = 1e-6) -> bool:
    """Equal up to rounding to about four significant digits (students may type 2.0596)."""
    if math.isnan(expected):
        return math.isnan(answer)
    if math.isinf(expected):
        return answer == expected
    return math.isclose(answer, expected, rel_tol=rel_tol, abs_tol=abs_tol)


def fmt(x: float) -> str:
    """A number as students read it: integers without `.0`, others with full precision."""
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(float(x)) if isinstance(x, float) else str(x)


def _number_item(name: str, answer: Any, expected: float, hint: str = "") -> Item:
    if is_unanswered(answer):
        return Item(name, "unanswered")
    try:
        value = _as_number(answer, name)
    except _NotANumber as err:
        return Item(name, "wrong", str(err), hint)
    if close(value, expected):
        exact = "" if value == expected else f" (exactly {fmt(expected)})"
        return Item(name, "correct", f"{name} = {fmt(value)}{exact}")
    extra = _common_slip(value, expected)
    return Item(name, "wrong", f"{name}: you wrote {fmt(value)}, expected {fmt(expected)}.{extra}", hint,
                first=f"{name}: you wrote {fmt(value)}, which is not it.{extra}")


def _common_slip(value: float, expected: float) -> str:
    if expected != 0 and close(value, -expected):
        return " The size is right, the sign is not."
    if expected != 0 and value != 0 and (close(value / expected, 2.0) or close(value / expected, 0.5)):
        return " You are off by a factor of 2."
    return ""


def check_numbers(
    title: str,
    answers: Mapping[str, Any],
    expected: Mapping[str, float],
    hints: Mapping[str, str] | None = None,
    *,
    root: Any = None,
    nodes: Mapping[str, Any] | None = None,
    note: str = "",
    first_hints: Mapping[str, str] | None = None,
) -> Feedback:
    """Compare named numbers; outline the first wrong one's node (if `nodes` names it) in `root`.

    first_hints: hints for a first wrong try where `hints` would give the answer away.
    """
    hints = hints or {}
    _use_names(root)
    items = [_number_item(n, answers[n], expected[n], hints.get(n, "")) for n in answers]
    for item in items:
        if first_hints and item.name in first_hints:
            item.first_hint = first_hints[item.name]
    status = _overall(items)
    highlight = None
    if nodes:
        wrong = [i.name for i in items if i.status == "wrong" and i.name in nodes]
        if wrong:
            highlight = nodes[wrong[0]]
    return _report(Feedback(title, status, items, note if status == "correct" else "", root, highlight))


# ----- gradients on a graph -----------------------------------------------------------------------
# The names of the graph being checked, as the stepper and the drawing call its nodes (names.node_names).
# The nodes are kept with their names, so that no id is reused while the mapping is in use.
_graph_names: dict[int, tuple[Value, str]] = {}


def _use_names(root: Any) -> None:
    """Name the nodes of `root`'s graph in feedback exactly as GraphStepper and draw() name them."""
    from .names import node_names

    _graph_names.clear()
    if isinstance(root, Value):
        order = graph.topological_order(root)
        _graph_names.update({id(n): (n, name) for n, name in zip(order, node_names(order))})


def node_name(node: Value) -> str:
    """How a node is called in feedback: as the stepper calls it (its label, else its generated name
    such as n2), else its gate, else its number."""
    named = _graph_names.get(id(node))
    if named is not None and named[0] is node:
        return named[1]
    if node.label:
        return node.label
    if node._op:
        return f"the {node._op!r} node"
    return fmt(node.data)


def nodes_by_label(root: Value) -> dict[str, Value]:
    """Every labelled node of a graph, by label (the names the notebooks print and draw)."""
    return {n.label: n for n in graph.topological_order(root) if n.label}


def gradients(root: Value) -> dict[int, float]:
    """d root / d node for every node, from a fresh backward pass on a copy (the graph is untouched)."""
    copy, copies = graph.clone(root)
    copy.backward()
    return {key: twin.grad for key, twin in copies.items()}


def gate_hint(consumer: Value, index: int) -> str:
    """What a gate does to the gradient of its input number `index`, in words: the gate's own why."""
    made_by = gate_of(consumer)
    names = [f"{node_name(p)} = {fmt(p.data)}" for p in consumer._prev]
    why = made_by.why(index, *names, **gate_params(consumer)) if made_by is not None else ""
    local = local_gradients(consumer)[index]
    return why or f"the {consumer._op!r} gate's local gradient here is {fmt(local)}"


def gradient_hint(root: Value, node: Value, grads: Mapping[int, float] | None = None,
                  result: bool = True) -> str:
    """How d root / d node is made: one `upstream x local` per use of the node, added up.

    result=False leaves the result out: what to multiply (and add), for a first wrong try.
    """
    grads = grads if grads is not None else gradients(root)
    if node is root:
        return "the output's gradient with respect to itself is 1: that is where backward starts"
    uses = [
        (c, i)
        for c in graph.topological_order(root)
        for i, p in enumerate(c._prev)
        if p is node
    ]
    terms = [_times(grads[id(c)], local_gradients(c)[i]) for c, i in uses]
    total = f" = {fmt(grads[id(node)])}" if result else ""
    if len(uses) == 1:
        return contribution_hint(*uses[0], grads, result=result)
    names = ", ".join(sorted({node_name(c) for c, _ in uses}))
    return (
        f"{node_name(node)} is used {len(uses)} times (by {names}): its gradient is the sum of what "
        f"each use sends back (+=): {' + '.join(terms)}{total}"
    )


def contribution_hint(consumer: Value, index: int, grads: Mapping[int, float], result: bool = True) -> str:
    """What one gate sends back to one input: the gate's rule in words and upstream x local.

    result=False names the two numbers to multiply without their product (a first wrong try).
    """
    upstream, local = grads[id(consumer)], local_gradients(consumer)[index]
    if not result:
        return (f"{gate_hint(consumer, index)}; multiply the upstream gradient {fmt(upstream)} "
                f"by the local gradient {fmt(local)}")
    arithmetic = f"{_times(upstream, local)} = {fmt(upstream * local)}"
    return f"{gate_hint(consumer, index)}; upstream \u00d7 local = {arithmetic}"


def _times(a: float, b: float) -> str:
    right = f"({fmt(b)})" if b < 0 else fmt(b)
    return f"{fmt(a)} \u00d7 {right}"


def check_gradients(
    title: str,
    root: Value,
    answers: Mapping[str, Any],
    *,
    names: Mapping[str, str] | None = None,
    note: str = "",
) -> Feedback:
    """Check predicted gradients d root / d node of labelled nodes against a fresh backward pass.

    `answers` maps a node's label to the student's number; `names` optionally maps the label to how
    the exercise writes it (e.g. {"x": "df/dx"}). The wrong node nearest the output is outlined.
    """
    names = names or {}
    _use_names(root)
    labelled = nodes_by_label(root)
    missing = [k for k in answers if k not in labelled]
    if missing:
        raise KeyError(
            f"check_gradients: no node labelled {missing} in this graph (labels: {list(labelled)})"
        )
    grads = gradients(root)
    items = []
    for label, answer in answers.items():
        node = labelled[label]
        item = _number_item(names.get(label, f"d/d{label}"), answer, grads[id(node)])
        if item.status == "wrong":
            item.hint = gradient_hint(root, node, grads)
            item.first_hint = gradient_hint(root, node, grads, result=False)
        items.append(item)
    status = _overall(items)
    highlight = None
    order = {id(n): k for k, n in enumerate(graph.topological_order(root))}
    wrong = [labelled[label] for label, item in zip(answers, items) if item.status == "wrong"]
    if wrong:
        highlight = max(wrong, key=lambda n: order[id(n)])  # fix the one nearest the output first
    return _report(Feedback(title, status, items, note if status == "correct" else "", root, highlight))


# ----- gates written by students ----------------------------------------------------------------
def check_gate(
    title: str,
    student: Any,
    reference: Gate,
    points: Sequence[Sequence[float]],
    *,
    show: Callable[[Gate], Value] | None = None,
    note: str = "",
) -> Feedback:
    """Check a student's gate (forward rule and local gradients) against a reference gate's rule.

    `points` are input tuples to try. `show(gate)` may build a small graph with the student's gate
    so the feedback can outline it.
    """
    if is_unanswered(student):
        return _report(Feedback(title, "unanswered", [Item("the gate's rule", "unanswered")]))
    if not isinstance(student, Gate):
        hint = "decorate your rule with @gate(\"name\") so that it becomes a gate"
        msg = f"expected a gate, got {type(student).__name__}"
        return _report(Feedback(title, "wrong", [Item("gate", "wrong", msg, hint)]))
    if student.arity != reference.arity:
        msg = f"your gate takes {student.arity} input(s); it should take {reference.arity}"
        return _report(Feedback(title, "wrong", [Item("gate", "wrong", msg, "one rule argument per input")]))
    items: list[Item] = []
    for xs in points:
        xs = tuple(float(x) for x in xs)
        where = ", ".join(f"{n} = {fmt(x)}" for n, x in zip(_arg_names(student), xs))
        want_out, want_local = reference.rule(*xs)
        try:
            got_out, got_local = _run_rule(student, xs)
        except Exception as err:  # a student's bug: say where, keep going
            items.append(Item(where, "wrong", f"at {where} your rule raised {type(err).__name__}: {err}"))
            break
        if not close(got_out, want_out, rel_tol=1e-6):
            items.append(
                Item(where, "wrong",
                     f"forward at {where}: you return {fmt(got_out)}, expected {fmt(want_out)}",
                     "the forward rule computes the gate's output from its inputs' numbers",
                     first=f"forward at {where}: you return {fmt(got_out)}, which is not the gate's output")
            )
            break
        for i, (got, want) in enumerate(zip(got_local, want_local)):
            if not close(got, want, rel_tol=1e-6):
                items.append(
                    Item(where, "wrong",
                         f"local gradient \u2202out/\u2202input {i} at {where}: you return {fmt(got)}, "
                         f"expected {fmt(want)}",
                         reference.doc.strip().split("\n")[0] if reference.doc else "",
                         first=f"local gradient \u2202out/\u2202input {i} at {where}: you return {fmt(got)}, "
                         "which is not it")
                )
                break
        else:
            continue
        break
    if not items:
        tried = "; ".join(", ".join(fmt(float(x)) for x in xs) for xs in points)
        message = f"forward and local gradients agree at every test point ({tried})"
        items.append(Item("gate", "correct", message))
    status = _overall(items)
    root = highlight = None
    if status == "wrong" and show is not None:
        try:
            root = show(student)
            highlight = [n for n in graph.topological_order(root) if gate_of(n) is student] or None
        except Exception:
            root = highlight = None
    return _report(Feedback(title, status, items, note if status == "correct" else "", root, highlight))


def _run_rule(g: Gate, xs: tuple[float, ...]) -> tuple[float, tuple[float, ...]]:
    """Run a gate on Values (so the engine validates what the rule returns) and read what it recorded."""
    node = g(*[Value(x) for x in xs])
    for number in (node.data, *local_gradients(node)):
        if isinstance(number, bool) or not isinstance(number, numbers.Real):
            raise TypeError(f"the rule returned {number!r} where a number belongs")
    return node.data, local_gradients(node)


def _arg_names(g: Gate) -> list[str]:
    try:
        return list(inspect.signature(g.rule).parameters)[: g.arity]
    except (TypeError, ValueError):
        return [f"x{i}" for i in range(g.arity)]


# ----- the article's examples (built with the engine, labelled as the notebooks label them) -------
def circuit() -> Value:
    """Section 1: f = (x + y) * z with x = -2, y = 5, z = -4."""
    x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    q = x + y
    q.label = "q"
    f = q * z
    f.label = "f"
    return f


def staged_function(x: float = 3.0, y: float = -4.0) -> Value:
    """Section 2: f = (x + sigmoid(y)) / (sigmoid(x) + (x + y)^2), named as in CS231n's staged code."""
    xv, yv = Value(x, "x"), Value(y, "y")
    sigy = _named(yv.sigmoid(), "sigy")
    num = _named(xv + sigy, "num")
    sigx = _named(xv.sigmoid(), "sigx")
    xpy = _named(xv + yv, "xpy")
    xpysqr = _named(xpy**2, "xpysqr")
    den = _named(sigx + xpysqr, "den")
    return _named(num / den, "f")


def neuron(w: Sequence[float] = (2.0, -3.0, -3.0), x: Sequence[float] = (-1.0, -2.0),
           fused: bool = True, sigmoid_gate: Gate | None = None) -> Value:
    """Section 3: f = sigmoid(w0*x0 + w1*x1 + w2), with the sigmoid fused or as its four gates."""
    w0, w1, w2 = (Value(v, f"w{i}") for i, v in enumerate(w))
    x0, x1 = (Value(v, f"x{i}") for i, v in enumerate(x))
    dot = _named(w0 * x0 + w1 * x1 + w2, "dot")
    if sigmoid_gate is not None:
        return _named(sigmoid_gate(dot), "f")
    if fused:
        return _named(dot.sigmoid(), "f")
    with stage("sigmoid"):
        out = 1 / (1 + (-dot).exp())
    return _named(out, "f")


def mse(w: float = 3.0, x: float = -4.0, y: float = 2.0) -> Value:
    """Sections 5 and 6: loss = (w*x - y)**2 for one data point, intermediate nodes named."""
    wv, xv, yv = Value(w, "w"), Value(x, "x"), Value(y, "y")
    wx = _named(wv * xv, "wx")
    diff = _named(wx - yv, "diff")
    return _named(diff**2, "loss")


def _named(v: Value, label: str) -> Value:
    v.label = label
    return v


# ----- notebook 00: start here --------------------------------------------------------------------
def first_expression(f: Any) -> Feedback:
    """Exercise: build f = a * b + c with a = 2, b = -3, c = 10."""
    title = "Your first expression"
    if is_unanswered(f):
        return _report(Feedback(title, "unanswered", [Item("f", "unanswered")]))
    if not isinstance(f, Value):
        hint = "build it from Values: a = Value(2.0, label='a'), ... then f = a * b + c"
        return _report(Feedback(title, "wrong", [Item("f", "wrong", f"f is a {type(f).__name__}, not a Value",
                                                     hint)]))
    items = []
    if f._op != "+":
        items.append(Item("f", "wrong", f"the last gate of f is {f._op or 'none'!r}; for a * b + c it is '+'",
                          "Python multiplies before it adds, so the '+' gate runs last"))
    elif not any(p._op == "*" for p in f._prev):
        items.append(Item("f", "wrong", "one input of the '+' gate should come from a '*' gate (a * b)"))
    if not close(f.data, 4.0):
        items.append(Item("f", "wrong", f"f = {fmt(f.data)}, expected 2 \u00d7 (-3) + 10 = 4",
                          "check the three numbers you gave a, b and c",
                          first=f"f = {fmt(f.data)}, which is not 2 \u00d7 (-3) + 10"))
    if not items:
        items.append(Item("f", "correct", "f = 4, made by a '*' gate and then a '+' gate"))
    return _report(Feedback(title, _overall(items), items))


def first_gradient(df_da: Any) -> Feedback:
    """Exercise: df/da for f = a * b + c at a = 2, b = -3, c = 10."""
    a, b, c = Value(2.0, "a"), Value(-3.0, "b"), Value(10.0, "c")
    f = _named(a * b + c, "f")  # as notebook 00 builds it: a * b is unlabelled there (the stepper's n2)
    return check_gradients("df/da for f = a * b + c", f, {"a": df_da}, names={"a": "df/da"})


# ----- notebook 01: circuits and gradients --------------------------------------------------------
def circuit_gradients(dq: Any, dz: Any, dx: Any, dy: Any) -> Feedback:
    """Exercise: every gradient of f = (x + y) * z at x = -2, y = 5, z = -4."""
    names = {"q": "df/dq", "z": "df/dz", "x": "df/dx", "y": "df/dy"}
    return check_gradients("Gradients of f = (x + y) \u00b7 z", circuit(),
                           {"q": dq, "z": dz, "x": dx, "y": dy}, names=names)


def nudge(f_after: Any, step: float = 0.01) -> Feedback:
    """Exercise: predict f after x += step, from df/dx alone (first order: f + df/dx * step)."""
    f = circuit()
    grads = gradients(f)
    x = nodes_by_label(f)["x"]
    predicted = f.data + grads[id(x)] * step
    hint = (f"f moves by gradient \u00d7 step: {fmt(f.data)} + ({fmt(grads[id(x)])}) \u00d7 {fmt(step)}")
    return check_numbers(f"f after nudging x by +{fmt(step)}", {"f after the nudge": f_after},
                         {"f after the nudge": predicted}, {"f after the nudge": hint},
                         root=f, nodes={"f after the nudge": x})


@gate("*")
def _mul_reference(a: float, b: float) -> tuple[float, tuple[float, float]]:
    """A multiply gate swaps its inputs: ∂(a × b)/∂a = b, ∂(a × b)/∂b = a."""
    return a * b, (b, a)


def multiply_gate(student: Any) -> Feedback:
    """Exercise: write the multiply gate's rule (output and both local gradients)."""
    def show(g: Gate) -> Value:
        x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
        return _named(g(_named(x + y, "q"), z), "f")

    return check_gate("Your multiply gate", student, _mul_reference,
                      [(3.0, -4.0), (-2.0, 5.0), (0.5, 7.0)], show=show)


# ----- notebook 02: from function to graph --------------------------------------------------------
_STAGED_NAMES = ("dnum", "dden", "dsigx", "dxpysqr", "dxpy", "dsigy", "dx", "dy")


def staged_backward(**answers: Any) -> Feedback:
    """Exercise: the staged backward pass by hand (CS231n style), one variable per gradient."""
    unknown = set(answers) - set(_STAGED_NAMES)
    if unknown:
        raise TypeError(f"staged_backward: unknown names {sorted(unknown)}; use {list(_STAGED_NAMES)}")
    f = staged_function()
    labels = {name: name[1:] for name in _STAGED_NAMES}
    given = {labels[n]: answers[n] for n in _STAGED_NAMES if n in answers}
    return check_gradients("The staged backward pass of f(x, y)", f, given,
                           names={v: k for k, v in labels.items()})


def fork_contributions(via_num: Any, via_sigx: Any, via_xpy: Any) -> Feedback:
    """Exercise: the three contributions x receives (x feeds num, sigx and xpy) and their sum."""
    f = staged_function()
    copy, copies = graph.clone(f)
    x_copy = nodes_by_label(copy)["x"]
    received = {}
    for step in graph.backward_steps(copy):
        for c in step.contributions:
            if c.parent is x_copy:
                received[step.node.label] = c.value
    labelled = nodes_by_label(f)
    x, grads = labelled["x"], gradients(f)
    answers = {"via num": via_num, "via sigx": via_sigx, "via xpy": via_xpy}
    expected = {k: received[k[4:]] for k in answers}
    hints = {k: contribution_hint(labelled[k[4:]], 0, grads) for k in answers}
    first_hints = {k: contribution_hint(labelled[k[4:]], 0, grads, result=False) for k in answers}
    total = fmt(sum(expected.values()))
    return check_numbers("What x receives at the fork", answers, expected, hints, root=f,
                         nodes={k: x for k in answers}, first_hints=first_hints,
                         note=f"Added up (+=): df/dx = {total}, the number backward() gives.")


# ----- notebook 03: staged computation ------------------------------------------------------------
def _sigmoid_reference_rule(x: float) -> tuple[float, tuple[float]]:
    """∂σ(x)/∂x = (1 − s) × s, with s = σ(x): no need to differentiate the four gates."""
    s = math.exp(x) / (1.0 + math.exp(x)) if x < 0 else 1.0 / (1.0 + math.exp(-x))
    return s, ((1.0 - s) * s,)


_sigmoid_reference = Gate("sigmoid", _sigmoid_reference_rule)


def sigmoid_gate(student: Any) -> Feedback:
    """Exercise: write the fused sigmoid gate (forward s = 1/(1+e^-x), local gradient (1-s)s)."""
    return check_gate("Your sigmoid gate", student, _sigmoid_reference,
                      [(0.0,), (1.0,), (-2.0,), (3.5,)], show=lambda g: neuron(sigmoid_gate=g))


def neuron_gradients(dx0: Any, dx1: Any, dw0: Any, dw1: Any, dw2: Any) -> Feedback:
    """Exercise: the 2-D neuron's gradients, from the sigmoid's local gradient and the multiply swap."""
    answers = {"w0": dw0, "x0": dx0, "w1": dw1, "x1": dx1, "w2": dw2}
    names = {k: f"df/d{k}" for k in answers}
    return check_gradients("Gradients of the 2-D neuron", neuron(), answers, names=names)


def sigmoid_local(answer: Any) -> Feedback:
    """Exercise: the sigmoid gate's local gradient in the neuron, (1 - s) * s at s = f."""
    f = neuron()
    expected = local_gradients(f)[0]
    hint = f"(1 - s)\u00b7s with s = {fmt(f.data)}"
    return check_numbers("The sigmoid gate's local gradient", {"local gradient": answer},
                         {"local gradient": expected}, {"local gradient": hint},
                         root=f, nodes={"local gradient": f})


# ----- notebook 04: the forward pass builds the graph --------------------------------------------
def prev_and_op(op: Any, first_input_op: Any, n_prev_double: Any) -> Feedback:
    """Exercise: for d = a * b + c, `d._op` and `d._prev[0]._op`; and len((a + a)._prev)."""
    a, b, c = Value(2.0, "a"), Value(-3.0, "b"), Value(10.0, "c")
    d = a * b + c
    items = []
    for name, answer, want, hint in (
        ("d._op", op, d._op, "the last operation Python runs is the gate that made d"),
        ("d._prev[0]._op", first_input_op, d._prev[0]._op, "d's first input is a * b"),
        ("len((a + a)._prev)", n_prev_double, len((a + a)._prev),
         "_prev is an ordered tuple: an input used twice is listed twice"),
    ):
        if is_unanswered(answer):
            items.append(Item(name, "unanswered"))
        elif answer == want and type(answer) is type(want):
            items.append(Item(name, "correct", f"{name} == {want!r}"))
        else:
            items.append(Item(name, "wrong", f"{name}: you wrote {answer!r}, it is {want!r}", hint,
                              first=f"{name}: you wrote {answer!r}, which is not it"))
    return _report(Feedback("_op and _prev", _overall(items), items))


def mse_gradients(dw: Any, dx: Any, dy: Any) -> Feedback:
    """Exercise: dloss/dw, dloss/dx, dloss/dy for loss = (w*x - y)**2 at w = 3, x = -4, y = 2."""
    names = {"w": "dloss/dw", "x": "dloss/dx", "y": "dloss/dy"}
    return check_gradients("Gradients of the MSE loss", mse(), {"w": dw, "x": dx, "y": dy}, names=names)


@gate("cube")
def _cube_reference(a: float) -> tuple[float, tuple[float]]:
    """∂(a³)/∂a = 3 × a²."""
    return a**3, (3.0 * a * a,)


def cube_gate(student: Any) -> Feedback:
    """Exercise: a new gate from scratch, f(a) = a^3."""
    return check_gate("Your cube gate", student, _cube_reference, [(2.0,), (-1.5,), (0.0,), (3.0,)],
                      show=lambda g: _named(g(Value(2.0, "a")), "f"))


# ----- notebook 05: backward and the topological sort --------------------------------------------
def _test_graphs() -> list[Value]:
    a = Value(1.0, "a")
    b = _named(a + a, "b")
    c = _named(b + b, "c")
    return [mse(), c, staged_function(), neuron(fused=False)]


def topological_sort(student: Any) -> Feedback:
    """Exercise: write build_topo(root) -> list, every node once, each after all of its inputs."""
    title = "Your topological sort"
    if is_unanswered(student):
        return _report(Feedback(title, "unanswered", [Item("build_topo", "unanswered")]))
    if not callable(student):
        return _report(Feedback(title, "wrong", [Item("build_topo", "wrong",
                                                      f"expected a function, got {type(student).__name__}")]))
    for root in _test_graphs():
        _use_names(root)
        problem, node = _order_problem(student, root)
        if problem:
            item = Item("build_topo", "wrong", f"on the graph of {node_name(root)}: {problem[0]}", problem[1])
            return _report(Feedback(title, "wrong", [item], root=root, highlight=node))
    item = Item("build_topo", "correct", "every node exactly once, each after its inputs, on 4 graphs "
                "(including b = a + a; c = b + b)")
    return _report(Feedback(title, "correct", [item]))


def _order_problem(student: Callable, root: Value) -> tuple[tuple[str, str] | None, Value | None]:
    try:
        order = student(root)
    except RecursionError:
        return ("your function recursed forever", "mark a node as visited before you visit its inputs"), root
    except Exception as err:
        return (f"your function raised {type(err).__name__}: {err}", ""), root
    if is_unanswered(order):
        return ("your function returned ...", "return the list of nodes"), root
    try:
        order = list(order)
    except TypeError:
        return (f"expected a list of nodes, got {type(order).__name__}", "return the list"), root
    everything = graph.topological_order(root)
    position: dict[int, int] = {}
    for k, n in enumerate(order):
        if not isinstance(n, Value):
            return (f"item {k} of your list is a {type(n).__name__}, not a node", "append the nodes"), root
        if id(n) in position:
            return (f"{node_name(n)} appears twice", "keep a set of visited nodes and skip those"), n
        position[id(n)] = k
    missing = [n for n in everything if id(n) not in position]
    if missing:
        return (f"{node_name(missing[0])} is missing ({len(missing)} node(s) in all)",
                "visit every input of every node, recursively"), missing[0]
    if len(order) != len(everything):
        return ("your list has nodes that are not in this graph", ""), root
    for n in everything:
        for p in n._prev:
            if position[id(p)] > position[id(n)]:
                return (f"{node_name(n)} comes before its input {node_name(p)}",
                        "append a node only after all of its inputs have been appended"), n
    if order[-1] is not root:
        return ("the root should come last", "append the node after visiting its inputs"), root
    return None, None


def naive_recursive_backward(node: Value) -> None:
    """Backprop without a topological sort: pass the gradient on as soon as it arrives (wrong at forks)."""
    for parent, local in zip(node._prev, local_gradients(node)):
        parent.grad += node.grad * local
        naive_recursive_backward(parent)


def naive_versus_sorted(naive: Any, correct: Any) -> Feedback:
    """Exercise: a.grad for a = 1; b = a + a; c = b + b, with the naive recursion and with backward()."""
    a = Value(1.0, "a")
    b = _named(a + a, "b")
    c = _named(b + b, "c")
    c.grad = 1.0
    naive_recursive_backward(c)
    naive_value = a.grad
    fresh = Value(1.0, "a")
    fresh_b = _named(fresh + fresh, "b")
    root = _named(fresh_b + fresh_b, "c")
    grads = gradients(root)
    hints = {
        "naive a.grad": "the naive recursion passes b's gradient on twice: first when b has 1, then "
                        "again when b has 2 (it re-sends what it already sent)",
        "a.grad": gradient_hint(root, fresh, grads),
    }
    return check_numbers("Naive recursion versus topological order",
                         {"naive a.grad": naive, "a.grad": correct},
                         {"naive a.grad": naive_value, "a.grad": grads[id(fresh)]}, hints,
                         root=root, nodes={"naive a.grad": fresh_b, "a.grad": fresh})


def backward_twice(w_grad: Any, wx_grad: Any) -> Feedback:
    """Exercise: w.grad and wx.grad after calling loss.backward() twice on the MSE graph."""
    loss = mse()
    loss.backward()
    loss.backward()
    nodes = nodes_by_label(loss)
    hints = {
        "w.grad": "inputs (leaves) accumulate across calls, as in PyTorch: call zero_grad() in between",
        "wx.grad": "intermediate gradients start fresh on every backward() call",
    }
    return check_numbers("Calling backward() twice", {"w.grad": w_grad, "wx.grad": wx_grad},
                         {"w.grad": nodes["w"].grad, "wx.grad": nodes["wx"].grad}, hints,
                         root=loss, nodes={"w.grad": nodes["w"], "wx.grad": nodes["wx"]})


# ----- notebook 06: gradient descent --------------------------------------------------------------
def descent_step(student: Any) -> Feedback:
    """Exercise: write step(params, learning_rate), the update p.data -= learning_rate * p.grad."""
    title = "Your gradient descent step"
    if is_unanswered(student):
        return _report(Feedback(title, "unanswered", [Item("step", "unanswered")]))
    loss = mse()
    loss.backward()
    nodes = nodes_by_label(loss)
    params = [nodes["w"], nodes["x"]]
    before = [(p.data, p.grad) for p in params]
    lr = 0.01
    try:
        student(params, lr)
    except Exception as err:
        item = Item("step", "wrong", f"your function raised {type(err).__name__}: {err}")
        return _report(Feedback(title, "wrong", [item]))
    items = []
    for p, (data, grad) in zip(params, before):
        if is_unanswered(p.data):
            return _report(Feedback(title, "unanswered", [Item("step", "unanswered")]))
        want = data - lr * grad
        name = p.label
        if not isinstance(p.data, float):
            items.append(Item(name, "wrong", f"{name}.data became a {type(p.data).__name__}",
                              "assign a number: p.data = p.data - learning_rate * p.grad"))
        elif close(p.data, want, rel_tol=1e-9):
            items.append(Item(name, "correct", f"{name}: {fmt(data)} -> {fmt(p.data)}"))
        elif close(p.data, data + lr * grad, rel_tol=1e-9):
            items.append(Item(name, "wrong", f"{name} moved from {fmt(data)} to {fmt(p.data)}: uphill",
                              "the gradient points uphill; descent subtracts it: -="))
        else:
            items.append(Item(name, "wrong", f"{name} moved from {fmt(data)} to {fmt(p.data)}, expected "
                              f"{fmt(want)} = {fmt(data)} - {fmt(lr)} \u00d7 {fmt(grad)}",
                              "p.data -= learning_rate * p.grad",
                              first=f"{name} moved from {fmt(data)} to {fmt(p.data)}, which is not one step"))
    wrong = [p for p, i in zip(params, items) if i.status == "wrong"]
    return _report(Feedback(title, _overall(items), items, root=loss if wrong else None,
                            highlight=wrong[0] if wrong else None))


def one_step(w_after: Any, learning_rate: float = 0.01) -> Feedback:
    """Exercise: w after one gradient descent step on the MSE example (w = 3, dloss/dw = 112)."""
    loss = mse()
    grads = gradients(loss)
    w = nodes_by_label(loss)["w"]
    want = w.data - learning_rate * grads[id(w)]
    hint = (f"w - learning_rate \u00d7 dloss/dw = {fmt(w.data)} - {fmt(learning_rate)} "
            f"\u00d7 {fmt(grads[id(w)])}")
    return check_numbers("w after one step", {"w": w_after}, {"w": want}, {"w": hint},
                         root=loss, nodes={"w": w})


def diverging_rate(learning_rate: Any, steps: int = 30) -> Feedback:
    """Exercise: a learning rate at which gradient descent on the MSE example blows up."""
    title = "A learning rate that diverges"
    if is_unanswered(learning_rate):
        return _report(Feedback(title, "unanswered", [Item("learning_rate", "unanswered")]))
    try:
        lr = _as_number(learning_rate, "learning_rate")
    except _NotANumber as err:
        return _report(Feedback(title, "wrong", [Item("learning_rate", "wrong", str(err))]))
    w = 3.0
    losses = []
    for _ in range(steps):
        loss = mse(w=w)
        loss.backward()
        wv = nodes_by_label(loss)["w"]
        losses.append(loss.data)
        w = w - lr * wv.grad
        if not math.isfinite(w):
            break
    grew = not math.isfinite(w) or losses[-1] > losses[0]
    if grew:
        item = Item("learning_rate", "correct", f"with {fmt(lr)} the loss goes {fmt(losses[0])} -> "
                    f"{fmt(losses[-1])} in {len(losses)} steps: each step overshoots further")
    else:
        item = Item("learning_rate", "wrong", f"with {fmt(lr)} the loss goes {fmt(losses[0])} -> "
                    f"{fmt(losses[-1])}: it still converges",
                    "loss = (w*x - y)^2 has curvature 2x^2 = 32 in w: steps above 2/32 overshoot more "
                    "each time")
    return _report(Feedback(title, item.status, [item]))


# ----- notebook 07: the mini framework ------------------------------------------------------------
def parameter_count(answer: Any) -> Feedback:
    """Exercise: how many parameters an MLP(2, [16, 16, 1]) has (weights and biases)."""
    from autograd_core import nn

    model = nn.MLP(2, [16, 16, 1])
    want = len(model.parameters())
    hint = ("each neuron has one weight per input plus one bias: "
            "layer by layer, (inputs + 1) x neurons, then add the layers up")
    return check_numbers("Parameters of MLP(2, [16, 16, 1])", {"parameters": answer}, {"parameters": want},
                         {"parameters": hint})


def _small_problem() -> tuple[Any, Any, Any]:
    """A tiny, seeded tensor model and data set for checking a training step."""
    import numpy as np

    from autograd_core import nn

    model = nn.Sequential(nn.Linear(2, 4, rng=1), nn.Tanh(), nn.Linear(4, 1, rng=2))
    rng = np.random.default_rng(3)
    X = rng.normal(size=(8, 2))
    y = np.where(X[:, :1] * X[:, 1:] > 0, 1.0, -1.0)
    return model, X, y


def _reference_steps(steps: int, zero_grad: bool = True) -> tuple[list[Any], list[float]]:
    from autograd_core import nn

    model, X, y = _small_problem()
    opt = nn.SGD(model.parameters(), lr=0.1)
    losses = []
    for _ in range(steps):
        if zero_grad:
            opt.zero_grad()
        loss = nn.hinge_loss(model(X), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return [p.data.copy() for p in model.parameters()], losses


def train_step(student: Any) -> Feedback:
    """Exercise: one training step: zero the gradients, forward, loss, backward, update; return the loss."""
    import numpy as np

    from autograd_core import nn

    title = "Your training step"
    if is_unanswered(student):
        return _report(Feedback(title, "unanswered", [Item("train_step", "unanswered")]))
    model, X, y = _small_problem()
    opt = nn.SGD(model.parameters(), lr=0.1)
    start = [p.data.copy() for p in model.parameters()]
    returned = []
    try:
        for _ in range(2):
            returned.append(student(model, X, y, opt))
    except Exception as err:
        item = Item("train_step", "wrong", f"your function raised {type(err).__name__}: {err}")
        return _report(Feedback(title, "wrong", [item]))
    params = [p.data for p in model.parameters()]

    def same(a: list, b: list) -> bool:
        return all(np.allclose(u, v, rtol=1e-9, atol=1e-12) for u, v in zip(a, b))

    want, want_losses = _reference_steps(2)
    items = []
    if same(params, start):
        items.append(Item("parameters", "wrong", "after two calls the parameters have not moved",
                          "call loss.backward() to fill the gradients, then optimizer.step() to use them"))
    elif same(params, _reference_steps(2, zero_grad=False)[0]):
        items.append(Item("parameters", "wrong", "the first step is right, the second is not: the "
                          "gradients of the first step were still there",
                          "gradients accumulate: call optimizer.zero_grad() before loss.backward()"))
    elif same(params, want):
        items.append(Item("parameters", "correct", "two steps move the parameters exactly as SGD should"))
    else:
        items.append(Item("parameters", "wrong", "the parameters moved, but not as one SGD step on the "
                          "hinge loss of model(X) would move them",
                          "zero_grad, loss = nn.hinge_loss(model(X), y), loss.backward(), optimizer.step()"))
    got = [_loss_number(r) for r in returned]
    if items[0].status == "wrong" and all(g is not None for g in got):
        pass  # the losses follow from the parameters: fix those first
    elif any(g is None for g in got):
        items.append(Item("return value", "wrong", f"your function returned {returned[0]!r}",
                          "return the loss (a Tensor) or its number, loss.item()"))
    elif not all(close(g, w, rel_tol=1e-9) for g, w in zip(got, want_losses)):
        items.append(Item("return value", "wrong", f"you returned the losses {got}, expected {want_losses}",
                          "return the loss computed in this step, before the update",
                          first=f"you returned the losses {got}, which are not the losses of these steps"))
    else:
        items.append(Item("return value", "correct", f"the losses {fmt(got[0])}, {fmt(got[1])}"))
    return _report(Feedback(title, _overall(items), items))


def _loss_number(x: Any) -> float | None:
    from autograd_core import Tensor

    if isinstance(x, Tensor) and x.size == 1:
        return x.item()
    if isinstance(x, Value):
        return x.data
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return float(x)
    return None


# ----- notebook 08: tensors -----------------------------------------------------------------------
def _array_item(name: str, answer: Any, expected: Any, hint: str = "") -> Item:
    import numpy as np

    if is_unanswered(answer):
        return Item(name, "unanswered")
    try:
        got = np.asarray(answer.data if hasattr(answer, "_prev") else answer, dtype=np.float64)
    except (TypeError, ValueError):
        return Item(name, "wrong", f"{name}: expected an array of numbers, got {type(answer).__name__}", hint)
    expected = np.asarray(expected, dtype=np.float64)
    if got.shape != expected.shape:
        return Item(name, "wrong", f"{name} has shape {got.shape}, expected {expected.shape}", hint)
    if np.allclose(got, expected, rtol=5e-4, atol=1e-6):
        if expected.ndim <= 1 and expected.size <= 6:
            return Item(name, "correct", f"{name} = {_short_array(expected)}")
        return Item(name, "correct", f"{name} matches the engine's gradient (shape {expected.shape})")
    if expected.ndim <= 1 and expected.size <= 6:
        return Item(name, "wrong", f"{name}: you gave {_short_array(got)}, expected {_short_array(expected)}",
                    hint, first=f"{name}: you gave {_short_array(got)}, which is not it")
    worst = np.unravel_index(np.argmax(np.abs(got - expected)), expected.shape)
    where = tuple(map(int, worst))
    return Item(name, "wrong", f"{name}: the right shape, wrong numbers: at index {where} "
                f"you have {fmt(float(got[worst]))}, expected {fmt(float(expected[worst]))}", hint,
                first=f"{name}: the right shape, wrong numbers: look at index {where} first")


def _short_array(a: Any) -> str:
    import numpy as np

    return np.array2string(np.asarray(a), precision=6, separator=", ", suppress_small=True)


def _shape_item(name: str, answer: Any, expected: tuple[int, ...], hint: str) -> Item:
    if is_unanswered(answer):
        return Item(name, "unanswered")
    try:
        got = tuple(int(n) for n in answer)
    except TypeError:
        return Item(name, "wrong", f"{name}: give a shape as a tuple such as (2, 3), got {answer!r}", hint)
    if got == tuple(expected):
        return Item(name, "correct", f"{name}: {got}")
    return Item(name, "wrong", f"{name}: you wrote {got}, expected {tuple(expected)}", hint,
                first=f"{name}: you wrote {got}, which is not the shape")


def matmul_shapes(dX: Any, dW: Any) -> Feedback:
    """Exercise: the shapes of dL/dX and dL/dW for Y = X @ W with X (4, 3) and W (3, 2)."""
    import numpy as np

    from autograd_core import Tensor

    X = Tensor(np.ones((4, 3)), label="X")
    W = Tensor(np.ones((3, 2)), label="W")
    (X @ W).sum().backward()
    hint = "a gradient always has the shape of what it is the gradient of"
    items = [_shape_item("dL/dX", dX, X.grad.shape, hint), _shape_item("dL/dW", dW, W.grad.shape, hint)]
    return _report(Feedback("Shapes of the matmul gradients", _overall(items), items))


def matmul_backward(student: Any) -> Feedback:
    """Exercise: write (dX, dW) = matmul_backward(X, W, dY) for Y = X @ W, checked against the engine."""
    import numpy as np

    from autograd_core import Tensor

    title = "Your matmul backward"
    if is_unanswered(student):
        return _report(Feedback(title, "unanswered", [Item("matmul_backward", "unanswered")]))
    rng = np.random.default_rng(0)
    X, W, dY = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=(4, 2))
    Xt, Wt = Tensor(X, label="X"), Tensor(W, label="W")
    (Xt @ Wt).backward(dY)
    try:
        dX, dW = student(X.copy(), W.copy(), dY.copy())
    except Exception as err:
        item = Item("matmul_backward", "wrong", f"your function raised {type(err).__name__}: {err}",
                    "return two arrays: dX, dW")
        return _report(Feedback(title, "wrong", [item]))
    hints = {
        "dX": "dimension analysis: dX must have X's shape (4, 3); from dY (4, 2) and W (3, 2) only "
              "dY @ W.T fits",
        "dW": "dimension analysis: dW must have W's shape (3, 2); from X (4, 3) and dY (4, 2) only "
              "X.T @ dY fits",
    }
    items = [_array_item("dX", dX, Xt.grad, hints["dX"]), _array_item("dW", dW, Wt.grad, hints["dW"])]
    return _report(Feedback(title, _overall(items), items))


def sum_to_shape(student: Any) -> Feedback:
    """Exercise: write the sum that brings a broadcast gradient back to an input's shape."""
    import numpy as np

    from autograd_core import Tensor

    title = "Your sum back to the input's shape"
    if is_unanswered(student):
        return _report(Feedback(title, "unanswered", [Item("sum_to_shape", "unanswered")]))
    rng = np.random.default_rng(1)
    cases = [((4, 3), (3,)), ((4, 3), (1, 3)), ((4, 3), (4, 1)), ((2, 4, 3), (3,)), ((4, 3), ())]
    for big_shape, small_shape in cases:
        big = Tensor(rng.normal(size=big_shape), label="A")
        small = Tensor(rng.normal(size=small_shape), label="b")
        upstream = rng.normal(size=big_shape)
        (big + small).backward(upstream)
        try:
            got = student(upstream.copy(), small_shape)
        except Exception as err:
            item = Item("sum_to_shape", "wrong",
                        f"for a {big_shape} gradient and shape {small_shape} your function raised "
                        f"{type(err).__name__}: {err}")
            return _report(Feedback(title, "wrong", [item]))
        name = f"gradient {big_shape} -> shape {small_shape}"
        hint = ("b was broadcast: every axis it was stretched along, it was used several times, so sum "
                "the upstream gradient over those axes (keepdims where b has a 1), then match b's shape")
        item = _array_item(name, got, small.grad, hint)
        if item.status != "correct":
            return _report(Feedback(title, item.status, [item]))
    item = Item("sum_to_shape", "correct", f"right on {len(cases)} shapes, including (4, 1) and a scalar")
    return _report(Feedback(title, "correct", [item]))


def max_gradient(answer: Any) -> Feedback:
    """Exercise: the gradient of t.max() for t = [1, 3, 3, 2] (ties share the gradient evenly)."""
    import numpy as np

    from autograd_core import Tensor

    t = Tensor(np.array([1.0, 3.0, 3.0, 2.0]), label="t")
    t.max().backward()
    hint = "max routes the gradient to the largest entries only; two entries tie, so they share it evenly"
    item = _array_item("d max / d t", answer, t.grad, hint)
    return _report(Feedback("The gradient of max", item.status, [item]))


# ----- notebook 09: debugging gradients -----------------------------------------------------------
def wrong_gate(root: Value, answer: Any) -> Feedback:
    """Exercise: name the gate (its `_op`) whose local gradient disagrees with its own rule."""
    from autograd_core import gradcheck

    title = "The wrong gate"
    if is_unanswered(answer):
        return _report(Feedback(title, "unanswered", [Item("gate", "unanswered")]))
    found = gradcheck.first_wrong_gate(root)
    if found is None:
        raise ValueError("wrong_gate: every gate of this graph agrees with its rule; nothing to find")
    want = found.node._op
    given = answer._op if isinstance(answer, Value) else answer
    if given == want:
        item = Item("gate", "correct", f"the {want!r} gate: its local gradient is {fmt(found.analytic)} "
                    f"but a central difference of its rule gives {fmt(found.numeric)}")
        return _report(Feedback(title, "correct", [item]))
    named = [n for n in graph.topological_order(root) if n._op == given]
    if named:
        message = f"the {given!r} gate's local gradients agree with its rule: it is not the one"
    else:
        ops = sorted({n._op for n in graph.topological_order(root) if n._op})
        message = f"there is no {given!r} gate in this graph (its gates: {', '.join(map(repr, ops))})"
    item = Item("gate", "wrong", message,
                "run gradcheck.check_gates(root) and look for the largest relative error")
    return _report(Feedback(title, "wrong", [item], root=root if named else None, highlight=named or None))


def _softplus_rule(x: float) -> tuple[float, tuple[float]]:
    """softplus(x) = ln(1 + e^x): its local gradient is the sigmoid, e^x / (1 + e^x)."""
    s = _sigmoid_reference_rule(x)[0]
    out = x + math.log1p(math.exp(-x)) if x > 0 else math.log1p(math.exp(x))
    return out, (s,)


_softplus_reference = Gate("softplus", _softplus_rule)


def softplus_gate(student: Any) -> Feedback:
    """Exercise: fix the softplus gate so that its local gradient is d ln(1 + e^x)/dx."""
    def show(g: Gate) -> Value:
        w, x, b = Value(0.5, "w"), Value(2.0, "x"), Value(-1.0, "b")
        return _named((g(w * x + b) - 1.0) ** 2, "loss")

    return check_gate("Your softplus gate", student, _softplus_reference,
                      [(0.0,), (1.5,), (-2.0,), (4.0,)], show=show)


def first_nonfinite(root: Value, answer: Any) -> Feedback:
    """Exercise: the label of the node where a nan or inf first appears (forward, then backward)."""
    from autograd_core import gradcheck

    title = "Where the first nan or inf appears"
    if is_unanswered(answer):
        return _report(Feedback(title, "unanswered", [Item("node", "unanswered")]))
    found = gradcheck.first_nonfinite(root)
    if found is None:
        raise ValueError("first_nonfinite: every value and gradient of this graph is finite")
    want = found.node
    _use_names(root)
    given = answer.label if isinstance(answer, Value) else answer
    if given == want.label:
        what = "value" if found.phase == "forward" else "gradient"
        item = Item("node", "correct", f"{node_name(want)}: its {what} is {fmt(found.value)}")
        return _report(Feedback(title, "correct", [item]))
    hint = ("walk the backward pass in order and stop at the first gradient that is inf or nan; look at the "
            "local gradients of the gate just above it")
    if found.phase == "forward":
        hint = "walk the nodes inputs-first and stop at the first value that is inf or nan"
    item = Item("node", "wrong", f"you named {given!r}; the first one is elsewhere", hint)
    return _report(Feedback(title, "wrong", [item], root=root, highlight=want))


def vanishing_bound(answer: Any, depth: int = 5) -> Feedback:
    """Exercise: the largest gradient that can pass through `depth` sigmoid gates in a row."""
    steepest = local_gradients(Value(0.0).sigmoid())[0]  # the sigmoid is steepest at 0
    want = steepest**depth
    hint = (f"the sigmoid's local gradient (1 - s)s is at most {fmt(steepest)} (at x = 0), and the "
            f"chain rule multiplies {depth} of them")
    return check_numbers(f"The most gradient {depth} sigmoids can pass", {"bound": answer}, {"bound": want},
                         {"bound": hint})
