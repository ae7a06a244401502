# %%
# 07_digits written independently from the contract (docs/EXERCISES.md), by a separate author;
# not derived from the reference or from the other independent solutions.

# %%
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from tqdm.auto import tqdm


# %% [data pieces]
def train_val_split(X, y, val_fraction=0.2, seed=0):
    X = np.asarray(X)
    y = np.asarray(y)
    n = len(X)
    shuffled = np.random.default_rng(seed).permutation(n)
    cut = int(n * val_fraction)
    val_idx, train_idx = shuffled[:cut], shuffled[cut:]
    return X[train_idx], X[val_idx], y[train_idx], y[val_idx]


def fit_standardizer(X):
    data = np.asarray(X, dtype=np.float64)
    mu = data.mean(axis=0)
    sigma = data.std(axis=0)
    sigma = np.where(sigma < 1e-8, 1.0, sigma)
    return mu.astype(np.float64), sigma.astype(np.float64)


def standardize(X, mean, std):
    data = np.asarray(X, dtype=np.float64)
    return (data - np.asarray(mean, dtype=np.float64)) / np.asarray(std, dtype=np.float64)


def standardize_splits(X_train, X_other):
    mu, sigma = fit_standardizer(X_train)
    return standardize(X_train, mu, sigma), standardize(X_other, mu, sigma), mu, sigma


def one_hot(labels, num_classes):
    lab = np.asarray(labels)
    if lab.size and not np.all(np.equal(np.mod(lab, 1), 0)):
        raise ValueError("labels must be integers")
    lab = lab.astype(np.int64).reshape(-1)
    if lab.size and (lab.min() < 0 or lab.max() >= num_classes):
        raise ValueError(f"labels must lie in 0 .. {num_classes - 1}")
    encoded = np.zeros((lab.shape[0], num_classes), dtype=np.float64)
    encoded[np.arange(lab.shape[0]), lab] = 1.0
    return encoded


def accuracy(y_true, y_pred):
    a = np.asarray(y_true).reshape(-1)
    b = np.asarray(y_pred).reshape(-1)
    return float(np.mean(a == b))


def confusion_matrix(y_true, y_pred, num_classes):
    table = np.zeros((num_classes, num_classes), dtype=np.int64)
    truth = np.asarray(y_true, dtype=np.int64).reshape(-1)
    guess = np.asarray(y_pred, dtype=np.int64).reshape(-1)
    for t, g in zip(truth, guess):
        table[t, g] += 1
    return table


# %% [numpy network]
def init_params(input_size, hidden_size, num_classes, rng):
    bound_in = 1.0 / np.sqrt(input_size)
    bound_hid = 1.0 / np.sqrt(hidden_size)
    net = {}
    net["W1"] = rng.uniform(-bound_in, bound_in, size=(hidden_size, input_size))
    net["b1"] = rng.uniform(-bound_in, bound_in, size=hidden_size)
    net["W2"] = rng.uniform(-bound_hid, bound_hid, size=(num_classes, hidden_size))
    net["b2"] = rng.uniform(-bound_hid, bound_hid, size=num_classes)
    return net


def forward(params, X):
    inputs = np.asarray(X, dtype=np.float64)
    pre = inputs @ params["W1"].T + params["b1"]
    hidden = np.maximum(pre, 0.0)
    scores = hidden @ params["W2"].T + params["b2"]
    return scores, (inputs, pre, hidden)


def softmax_cross_entropy(logits, Y):
    z = np.asarray(logits, dtype=np.float64)
    targets = np.asarray(Y, dtype=np.float64)
    rows = z.shape[0]
    z_shift = z - z.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(z_shift).sum(axis=1, keepdims=True))
    log_probs = z_shift - log_norm
    loss = -np.sum(targets * log_probs) / rows
    probs = np.exp(log_probs)
    return float(loss), (probs - targets) / rows


def backward(params, cache, dlogits):
    inputs, pre, hidden = cache
    g_out = np.asarray(dlogits, dtype=np.float64)
    grads = {
        "W2": g_out.T @ hidden,
        "b2": g_out.sum(axis=0),
    }
    g_hidden = g_out @ params["W2"]
    g_pre = g_hidden * (pre > 0)
    grads["W1"] = g_pre.T @ inputs
    grads["b1"] = g_pre.sum(axis=0)
    return grads


def sgd_step(params, grads, lr):
    return {name: params[name] - lr * grads[name] for name in params}


def predict(params, X):
    scores, _ = forward(params, X)
    return np.argmax(scores, axis=1)


def train_network(X, y, hidden_size=64, lr=0.1, epochs=20, batch_size=32, seed=0, num_classes=10):
    inputs = np.asarray(X, dtype=np.float64)
    labels = np.asarray(y)
    n, d = inputs.shape
    rng = np.random.default_rng(seed)
    params = init_params(d, hidden_size, num_classes, rng)
    history = []
    for _ in tqdm(range(epochs), desc="numpy net", unit="epoch", leave=False):
        order = rng.permutation(n)
        weighted_sum = 0.0
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            logits, cache = forward(params, inputs[idx])
            batch_loss, dlogits = softmax_cross_entropy(logits, one_hot(labels[idx], num_classes))
            grads = backward(params, cache, dlogits)
            params = sgd_step(params, grads, lr)
            weighted_sum += batch_loss * len(idx)
        history.append(weighted_sum / n)
    return params, history


# %% [PyTorch]
class DigitsNet(nn.Module):
    def __init__(self, input_size=64, hidden_size=256, num_classes=10, dropout=0.3):
        super().__init__()
        self.fc1 = nn.Linear(input_size, hidden_size)
        self.relu = nn.ReLU()
        self.drop = nn.Dropout(dropout)
        self.fc2 = nn.Linear(hidden_size, num_classes)

    def forward(self, x):
        return self.fc2(self.drop(self.relu(self.fc1(x))))


def train_one_epoch(model, loader, criterion, optimizer, device):
    model.train()
    running, seen = 0.0, 0
    for xb, yb in loader:
        xb, yb = xb.to(device), yb.to(device)
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        count = xb.shape[0]
        running += loss.item() * count
        seen += count
    return running / seen


def evaluate(model, loader, criterion, device):
    model.eval()
    running, hits, seen = 0.0, 0, 0
    with torch.no_grad():
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            out = model(xb)
            count = xb.shape[0]
            running += criterion(out, yb).item() * count
            hits += (out.argmax(dim=1) == yb).sum().item()
            seen += count
    return running / seen, hits / seen


def train_digits_net(X, y, epochs=30, lr=3e-3, batch_size=128, seed=0):
    torch.manual_seed(seed)
    model = DigitsNet(X.shape[1])
    features = torch.as_tensor(np.asarray(X), dtype=torch.float32)
    targets = torch.as_tensor(np.asarray(y), dtype=torch.int64)
    loader = DataLoader(TensorDataset(features, targets), batch_size=batch_size, shuffle=True,
                        generator=torch.Generator().manual_seed(seed))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    cpu = torch.device("cpu")
    epoch_losses = []
    for _ in tqdm(range(epochs), desc="DigitsNet", unit="epoch", leave=False):
        epoch_losses.append(train_one_epoch(model, loader, criterion, optimizer, cpu))
    return model, epoch_losses
