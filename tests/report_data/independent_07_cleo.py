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
    X, y = np.asarray(X), np.asarray(y)
    n = len(X)
    perm = np.random.default_rng(seed).permutation(n)
    cut = int(n * val_fraction)
    val_idx, train_idx = perm[:cut], perm[cut:]
    return X[train_idx], X[val_idx], y[train_idx], y[val_idx]


# %%
def fit_standardizer(X):
    data = np.asarray(X, dtype=np.float64)
    mean = data.mean(axis=0)
    spread = data.std(axis=0)
    return mean, np.where(spread < 1e-8, 1.0, spread)


def standardize(X, mean, std):
    data = np.asarray(X, dtype=np.float64)
    return (data - np.asarray(mean, dtype=np.float64)) / np.asarray(std, dtype=np.float64)


def standardize_splits(X_train, X_other):
    mean, std = fit_standardizer(X_train)
    return standardize(X_train, mean, std), standardize(X_other, mean, std), mean, std


# %%
def one_hot(labels, num_classes):
    lab = np.asarray(labels).reshape(-1)
    if lab.size and (np.any(lab < 0) or np.any(lab >= num_classes) or np.any(lab != np.round(lab))):
        raise ValueError(f"labels must be integers in 0..{num_classes - 1}")
    lab = lab.astype(np.int64)
    return np.where(lab[:, None] == np.arange(num_classes)[None, :], 1.0, 0.0)


def accuracy(y_true, y_pred):
    return float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))


def confusion_matrix(y_true, y_pred, num_classes):
    t = np.asarray(y_true, dtype=np.int64).reshape(-1)
    p = np.asarray(y_pred, dtype=np.int64).reshape(-1)
    flat = np.bincount(t * num_classes + p, minlength=num_classes * num_classes)
    return flat[: num_classes * num_classes].reshape(num_classes, num_classes).astype(np.int64)


# %%
def init_params(input_size, hidden_size, num_classes, rng):
    k1, k2 = 1.0 / np.sqrt(input_size), 1.0 / np.sqrt(hidden_size)
    shapes = [("W1", (hidden_size, input_size), k1), ("b1", (hidden_size,), k1),
              ("W2", (num_classes, hidden_size), k2), ("b2", (num_classes,), k2)]
    return {name: rng.uniform(-k, k, size=shape) for name, shape, k in shapes}


def forward(params, X):
    X = np.asarray(X, dtype=np.float64)
    Z1 = X @ params["W1"].T + params["b1"]
    H1 = np.where(Z1 > 0, Z1, 0.0)
    logits = H1 @ params["W2"].T + params["b2"]
    return logits, (X, Z1, H1)


def softmax_cross_entropy(logits, Y):
    z = np.asarray(logits, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    n = z.shape[0]
    shifted = z - z.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    log_p = shifted - log_norm
    loss = float(-np.sum(Y * log_p) / n)
    return loss, (np.exp(log_p) - Y) / n


def backward(params, cache, dlogits):
    X, Z1, H1 = cache
    G = np.asarray(dlogits, dtype=np.float64)
    dZ1 = np.where(Z1 > 0, G @ params["W2"], 0.0)
    return {
        "W1": dZ1.T @ X,
        "b1": dZ1.sum(axis=0),
        "W2": G.T @ H1,
        "b2": G.sum(axis=0),
    }


def sgd_step(params, grads, lr):
    return {k: params[k] - lr * grads[k] for k in params}


def predict(params, X):
    logits, _ = forward(params, X)
    return np.argmax(logits, axis=1)


def train_network(X, y, hidden_size=64, lr=0.1, epochs=20, batch_size=32, seed=0, num_classes=10):
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    n, d = X.shape
    rng = np.random.default_rng(seed)
    params = init_params(d, hidden_size, num_classes, rng)
    losses = []
    for _ in tqdm(range(epochs), desc="numpy net", unit="epoch", leave=False):
        order = rng.permutation(n)
        total = 0.0
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            logits, cache = forward(params, X[idx])
            loss, dlogits = softmax_cross_entropy(logits, one_hot(y[idx], num_classes))
            params = sgd_step(params, backward(params, cache, dlogits), lr)
            total += loss * len(idx)
        losses.append(total / n)
    return params, losses


# %%
class DigitsNet(nn.Module):
    def __init__(self, input_size=64, hidden_size=256, num_classes=10, dropout=0.3):
        super().__init__()
        self.fc1 = nn.Linear(input_size, hidden_size)
        self.relu = nn.ReLU()
        self.drop = nn.Dropout(dropout)
        self.fc2 = nn.Linear(hidden_size, num_classes)

    def forward(self, x):
        return self.fc2(self.drop(self.relu(self.fc1(x))))


# %%
def train_one_epoch(model, loader, criterion, optimizer, device):
    model.train()
    loss_sum, seen = 0.0, 0
    for inputs, targets in loader:
        inputs, targets = inputs.to(device), targets.to(device)
        optimizer.zero_grad()
        loss = criterion(model(inputs), targets)
        loss.backward()
        optimizer.step()
        loss_sum += loss.item() * len(inputs)
        seen += len(inputs)
    return loss_sum / seen


def evaluate(model, loader, criterion, device):
    model.eval()
    loss_sum, hits, seen = 0.0, 0, 0
    with torch.no_grad():
        for inputs, targets in loader:
            inputs, targets = inputs.to(device), targets.to(device)
            out = model(inputs)
            loss_sum += criterion(out, targets).item() * len(inputs)
            hits += (out.argmax(dim=1) == targets).sum().item()
            seen += len(inputs)
    return loss_sum / seen, hits / seen


# %%
def train_digits_net(X, y, epochs=30, lr=3e-3, batch_size=128, seed=0):
    torch.manual_seed(seed)
    model = DigitsNet(X.shape[1])
    Xt = torch.as_tensor(np.asarray(X), dtype=torch.float32)
    yt = torch.as_tensor(np.asarray(y), dtype=torch.int64)
    loader = DataLoader(TensorDataset(Xt, yt), batch_size=batch_size, shuffle=True,
                        generator=torch.Generator().manual_seed(seed))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    device = torch.device("cpu")
    losses = [train_one_epoch(model, loader, criterion, optimizer, device)
              for _ in tqdm(range(epochs), desc="DigitsNet", unit="epoch", leave=False)]
    return model, losses
