# Solutions to notebook 07 (used by the solution-mode test; see fill.py).

# %% exercise 7.1
n_parameters = (2 + 1) * 16 + (16 + 1) * 16 + (16 + 1) * 1  # 337
ex.parameter_count(n_parameters)

# %% exercise 7.2
def train_step(model, X, y, optimizer):
    optimizer.zero_grad()  # 1. reset the gradients
    loss = nn.hinge_loss(model(X), y)  # 2. forward pass and loss
    loss.backward()  # 3. backward pass
    optimizer.step()  # 4. update the parameters
    return loss


ex.train_step(train_step)
