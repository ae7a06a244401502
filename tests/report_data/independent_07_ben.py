# %%
# 07_digits written independently from the contract (docs/EXERCISES.md), by a separate author;
# not derived from the reference or from the other independent solutions.

# %%
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from tqdm.auto import tqdm


# %%
def train_val_split(X, y, val_fraction=0.2, seed=0):
    """Seeded random split; the first int(N * val_fraction) permuted rows go to validation."""
    X = np.asarray(X)
    y = np.asarray(y)
    count = len(X)
    perm = np.random.default_rng(seed).permutation(count)
    n_val = int(count * val_fraction)
    val_rows = perm[:n_val]
    train_rows = perm[n_val:]
    return X[train_rows], X[val_rows], y[train_rows], y[val_rows]


# %%
def fit_standardizer(X):
    """Column means and (population) standard deviations; tiny stds become 1.0."""
    data = np.asarray(X, dtype=np.float64)
    mean = data.mean(axis=0)
    std = data.std(axis=0)
    fixed_std = std.copy()
    for j in range(fixed_std.shape[0]):
        if fixed_std[j] < 1e-8:
            fixed_std[j] = 1.0
    return mean.astype(np.float64), fixed_std.astype(np.float64)


def standardize(X, mean, std):
    """(X - mean) / std as a new float64 array."""
    data = np.asarray(X, dtype=np.float64)
    centre = np.asarray(mean, dtype=np.float64)
    scale = np.asarray(std, dtype=np.float64)
    return (data - centre) / scale


def standardize_splits(X_train, X_other):
    """Statistics from X_train only, applied to both splits."""
    mean, std = fit_standardizer(X_train)
    train_part = standardize(X_train, mean, std)
    other_part = standardize(X_other, mean, std)
    return train_part, other_part, mean, std


# %%
def one_hot(labels, num_classes):
    """Float64 (N, num_classes) with a single 1.0 per row, at column labels[i]."""
    label_list = np.asarray(labels).reshape(-1)
    encoded = np.zeros((label_list.shape[0], num_classes), dtype=np.float64)
    for row, raw in enumerate(label_list):
        if float(raw) != int(raw):
            raise ValueError(f"label {raw!r} is not an integer")
        cls = int(raw)
        if cls < 0 or cls >= num_classes:
            raise ValueError(f"label {cls} is outside 0 .. {num_classes - 1}")
        encoded[row, cls] = 1.0
    return encoded


# %%
def accuracy(y_true, y_pred):
    """Fraction of positions where the two agree, as a Python float."""
    truth = np.asarray(y_true).reshape(-1)
    guess = np.asarray(y_pred).reshape(-1)
    if truth.shape[0] == 0:
        return 0.0
    hits = 0
    for a, b in zip(truth, guess):
        if a == b:
            hits += 1
    return float(hits / truth.shape[0])


def confusion_matrix(y_true, y_pred, num_classes):
    """counts[i, j]: examples of true class i predicted as class j."""
    truth = np.asarray(y_true).reshape(-1)
    guess = np.asarray(y_pred).reshape(-1)
    counts = np.zeros((num_classes, num_classes), dtype=np.int64)
    for a, b in zip(truth, guess):
        counts[int(a), int(b)] += 1
    return counts


# %%
def init_params(input_size, hidden_size, num_classes, rng):
    """PyTorch-style uniform initialisation, drawn in the order W1, b1, W2, b2."""
    bound_in = 1.0 / np.sqrt(input_size)
    bound_hidden = 1.0 / np.sqrt(hidden_size)
    params = {}
    params["W1"] = rng.uniform(-bound_in, bound_in, size=(hidden_size, input_size))
    params["b1"] = rng.uniform(-bound_in, bound_in, size=hidden_size)
    params["W2"] = rng.uniform(-bound_hidden, bound_hidden, size=(num_classes, hidden_size))
    params["b2"] = rng.uniform(-bound_hidden, bound_hidden, size=num_classes)
    return params


def forward(params, X):
    """Linear -> ReLU -> linear; returns (logits, (X, Z1, H1))."""
    inputs = np.asarray(X, dtype=np.float64)
    Z1 = inputs @ params["W1"].T + params["b1"]
    H1 = np.maximum(Z1, 0.0)
    logits = H1 @ params["W2"].T + params["b2"]
    return logits, (inputs, Z1, H1)


def _log_softmax_rows(logits):
    """Row-wise log-softmax with the row maximum removed first."""
    row_max = np.max(logits, axis=1, keepdims=True)
    shifted = logits - row_max
    log_totals = np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return shifted - log_totals


def softmax_cross_entropy(logits, Y):
    """Mean cross-entropy over the rows (a float) and its gradient (P - Y) / N."""
    scores = np.asarray(logits, dtype=np.float64)
    targets = np.asarray(Y, dtype=np.float64)
    n_rows = scores.shape[0]
    log_probs = _log_softmax_rows(scores)
    per_row = -np.sum(targets * log_probs, axis=1)
    loss = float(np.mean(per_row))
    probs = np.exp(log_probs)
    dlogits = (probs - targets) / n_rows
    return loss, dlogits


def backward(params, cache, dlogits):
    """Gradients of the loss for every parameter, by the chain rule from the top."""
    X, Z1, H1 = cache
    G = np.asarray(dlogits, dtype=np.float64)
    grads = {}
    grads["W2"] = G.T @ H1
    grads["b2"] = G.sum(axis=0)
    dH1 = G @ params["W2"]
    dZ1 = dH1 * (Z1 > 0)
    grads["W1"] = dZ1.T @ X
    grads["b1"] = dZ1.sum(axis=0)
    return grads


def sgd_step(params, grads, lr):
    """A fresh dict with each parameter moved against its gradient."""
    updated = {}
    for key in params:
        updated[key] = params[key] - lr * grads[key]
    return updated


def predict(params, X):
    """Index of the largest logit per row."""
    logits, _ = forward(params, X)
    return np.argmax(logits, axis=1).astype(np.int64)


def train_network(X, y, hidden_size=64, lr=0.1, epochs=20, batch_size=32, seed=0, num_classes=10):
    """Mini-batch SGD with a fresh random order every epoch; returns (params, losses)."""
    inputs = np.asarray(X, dtype=np.float64)
    labels = np.asarray(y)
    n_examples, n_features = inputs.shape
    rng = np.random.default_rng(seed)
    params = init_params(n_features, hidden_size, num_classes, rng)
    losses = []
    for _ in tqdm(range(epochs), desc="numpy network", unit="epoch", leave=False):
        order = rng.permutation(n_examples)
        weighted_sum = 0.0
        seen = 0
        for start in range(0, n_examples, batch_size):
            batch = order[start:start + batch_size]
            logits, cache = forward(params, inputs[batch])
            targets = one_hot(labels[batch], num_classes)
            batch_loss, dlogits = softmax_cross_entropy(logits, targets)
            grads = backward(params, cache, dlogits)
            params = sgd_step(params, grads, lr)
            weighted_sum += batch_loss * len(batch)
            seen += len(batch)
        losses.append(weighted_sum / seen)
    return params, losses


# %%
class DigitsNet(nn.Module):
    """input_size -> hidden_size (ReLU, dropout) -> num_classes logits."""

    def __init__(self, input_size=64, hidden_size=256, num_classes=10, dropout=0.3):
        super().__init__()
        self.fc1 = nn.Linear(input_size, hidden_size)
        self.relu = nn.ReLU()
        self.drop = nn.Dropout(dropout)
        self.fc2 = nn.Linear(hidden_size, num_classes)

    def forward(self, x):
        hidden = self.relu(self.fc1(x))
        return self.fc2(self.drop(hidden))


# %%
def train_one_epoch(model, loader, criterion, optimizer, device):
    """One pass in training mode; the mean loss per example, as a float."""
    model.train()
    total_loss = 0.0
    total_count = 0
    for inputs, targets in loader:
        inputs = inputs.to(device)
        targets = targets.to(device)
        optimizer.zero_grad()
        outputs = model(inputs)
        loss = criterion(outputs, targets)
        loss.backward()
        optimizer.step()
        size = inputs.shape[0]
        total_loss += loss.item() * size
        total_count += size
    return total_loss / total_count


def evaluate(model, loader, criterion, device):
    """(mean loss per example, accuracy) in eval mode, without autograd."""
    model.eval()
    total_loss = 0.0
    total_right = 0
    total_count = 0
    with torch.no_grad():
        for inputs, targets in loader:
            inputs = inputs.to(device)
            targets = targets.to(device)
            outputs = model(inputs)
            size = inputs.shape[0]
            total_loss += criterion(outputs, targets).item() * size
            guesses = outputs.argmax(dim=1)
            total_right += int((guesses == targets).sum().item())
            total_count += size
    return total_loss / total_count, total_right / total_count


# %%
def train_digits_net(X, y, epochs=30, lr=3e-3, batch_size=128, seed=0):
    """A DigitsNet trained with Adam through train_one_epoch; returns (model, losses)."""
    torch.manual_seed(seed)
    model = DigitsNet(X.shape[1])
    features = torch.as_tensor(np.asarray(X), dtype=torch.float32)
    targets = torch.as_tensor(np.asarray(y), dtype=torch.int64)
    loader = DataLoader(TensorDataset(features, targets), batch_size=batch_size, shuffle=True,
                        generator=torch.Generator().manual_seed(seed))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    cpu = torch.device("cpu")
    losses = []
    for _ in tqdm(range(epochs), desc="DigitsNet", unit="epoch", leave=False):
        losses.append(train_one_epoch(model, loader, criterion, optimizer, cpu))
    return model, losses
