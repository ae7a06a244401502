# %%
# 01_perceptron written from scratch, in another style than the reference: loops and
# explicit sums where the reference uses array operations. A correct submission that shares
# no code with the reference beyond what the exercise forces.
import numpy as np


# %%
def step(z):
    values = np.array(z, dtype=float)
    fired = np.zeros_like(values)
    fired[values >= 0.0] = 1.0
    return fired

# %%
def perceptron_output(x, w, b):
    inputs = np.array(x, dtype=float)
    weights = np.array(w, dtype=float)
    total = np.dot(inputs, weights) + float(b)
    return step(total)

# %%
def perceptron_update(x, y, w, b, lr=1.0):
    features = np.array(x, dtype=float)
    delta = y - float(perceptron_output(features, w, b))
    new_weights = np.array(w, dtype=float) + features * (delta * lr)
    new_bias = float(b) + delta * lr
    return new_weights, float(new_bias)

# %%
def train_perceptron(X, y, lr=1.0, max_epochs=100):
    data = np.array(X, dtype=float)
    labels = np.array(y, dtype=float)
    weights = np.zeros(data.shape[1])
    bias = 0.0
    history = []
    epoch = 0
    while epoch < max_epochs:
        wrong = 0
        for row in range(len(data)):
            guess = float(perceptron_output(data[row], weights, bias))
            wrong += int(guess != labels[row])
            weights, bias = perceptron_update(data[row], labels[row], weights, bias, lr)
        history.append(wrong)
        epoch += 1
        if not wrong:
            break
    return weights, bias, history

# %%
def accuracy(y_true, y_pred):
    truth = list(np.ravel(y_true))
    guesses = list(np.ravel(y_pred))
    hits = sum(1 for t, g in zip(truth, guesses) if t == g)
    return hits / len(truth)
