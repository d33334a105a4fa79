# Solutions to notebook 05 (used by the solution-mode test; see fill.py).

# %% exercise 5.1
def build_topo(root):
    order = []
    visited = set()

    def visit(node):
        if node in visited:
            return
        visited.add(node)
        for parent in node._prev:
            visit(parent)
        order.append(node)

    visit(root)
    return order


ex.topological_sort(build_topo)

# %% exercise 5.2
naive = 6  # b passes on 1 (a gets 1 + 1), then 2 (a gets 2 + 2)
correct = 4  # c = 4a
ex.naive_versus_sorted(naive=naive, correct=correct)

# %% exercise 5.3
w_grad = 224  # leaves accumulate: 112 + 112
wx_grad = -28  # intermediate nodes start fresh: 2 * (wx - y) = -28
ex.backward_twice(w_grad=w_grad, wx_grad=wx_grad)
