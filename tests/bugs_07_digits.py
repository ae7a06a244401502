"""Realistic mistakes in 07_digits (see bug_catalog.py)."""

from bug_catalog import Bug

BUGS = [
    Bug(
        "split_first_rows_are_validation",
        "train_val_split",
        "    val_idx, train_idx = perm[:n_val], perm[n_val:]\n",
        "    val_idx, train_idx = np.arange(n_val), np.arange(n_val, len(X))\n",
        "the data file is ordered; the split must be random",
    ),
    Bug(
        "standardizer_divides_by_zero_std",
        "fit_standardizer",
        "    std = np.where(std < 1e-8, 1.0, std)\n",
        "",
        "pixels constant in the training split have std 0",
    ),
    Bug(
        "standardize_in_place",
        "standardize",
        "    return (np.asarray(X, dtype=np.float64) - mean) / std\n",
        "    X = np.asarray(X, dtype=np.float64)\n    X -= mean\n    X /= std\n    return X\n",
        "writes into the caller's array",
    ),
    Bug(
        "splits_statistics_from_all_data",
        "standardize_splits",
        "    mean, std = fit_standardizer(X_train)\n",
        "    mean, std = fit_standardizer(np.concatenate([X_train, X_other]))\n",
        "statistics of the other split leak into the model",
    ),
    Bug(
        "one_hot_off_by_one",
        "one_hot",
        "    out[np.arange(len(labels)), labels] = 1.0\n",
        "    out[np.arange(len(labels)), labels - 1] = 1.0\n",
        "digit d goes in column d",
    ),
    Bug(
        "confusion_transposed",
        "confusion_matrix",
        "np.add.at(counts, (np.asarray(y_true), np.asarray(y_pred)), 1)",
        "np.add.at(counts, (np.asarray(y_pred), np.asarray(y_true)), 1)",
        "rows are the true classes",
    ),
    Bug(
        "forward_without_relu",
        "forward",
        "    H1 = np.maximum(Z1, 0.0)\n",
        "    H1 = Z1\n",
        "two linear layers without a nonlinearity are one linear layer",
    ),
    Bug(
        "cross_entropy_unstable",
        "softmax_cross_entropy",
        "    shifted = logits - logits.max(axis=1, keepdims=True)\n",
        "    shifted = logits\n",
        "exp(1000) overflows",
    ),
    Bug(
        "backward_no_relu_mask",
        "backward",
        '    dZ1 = (dlogits @ params["W2"]) * (Z1 > 0)\n',
        '    dZ1 = dlogits @ params["W2"]\n',
        "no gradient flows through a ReLU that is off",
    ),
    Bug(
        "sgd_step_in_place",
        "sgd_step",
        "    return {k: params[k] - lr * grads[k] for k in params}\n",
        "    for k in params:\n        params[k] -= lr * grads[k]\n    return params\n",
        "writes into the caller's arrays",
    ),
    Bug(
        "train_network_shuffles_once",
        "train_network",
        '    for _ in tqdm(range(epochs), desc="numpy network", unit="epoch", leave=False):\n'
        "        order = rng.permutation(n)\n",
        "    order = rng.permutation(n)\n"
        '    for _ in tqdm(range(epochs), desc="numpy network", unit="epoch", leave=False):\n',
        "every epoch visits the examples in a new order",
    ),
    Bug(
        "train_network_uses_torch",
        "train_network",
        "            params = sgd_step(params, backward(params, cache, dlogits), lr)\n",
        "            grads = backward(params, cache, dlogits)\n"
        "            params = {k: (torch.as_tensor(v) - lr * torch.as_tensor(grads[k])).numpy()"
        " for k, v in params.items()}\n",
        "the numpy network must use numpy alone",
    ),
    Bug(
        "digits_net_softmax_in_forward",
        "DigitsNet",
        "return self.fc2(self.drop(self.relu(self.fc1(x))))",
        "return torch.softmax(self.fc2(self.drop(self.relu(self.fc1(x)))), dim=1)",
        "CrossEntropyLoss expects logits and applies the softmax itself",
    ),
    Bug(
        "digits_net_without_dropout",
        "DigitsNet",
        "return self.fc2(self.drop(self.relu(self.fc1(x))))",
        "return self.fc2(self.relu(self.fc1(x)))",
        "the stated architecture has dropout after the ReLU",
    ),
    Bug(
        "epoch_no_zero_grad",
        "train_one_epoch",
        "        optimizer.zero_grad()\n        loss = criterion(model(inputs), targets)\n",
        "        loss = criterion(model(inputs), targets)\n",
        "gradients accumulate across batches",
    ),
    Bug(
        "evaluate_in_training_mode",
        "evaluate",
        "    model.eval()\n    total_loss",
        "    total_loss",
        "dropout stays on while evaluating",
    ),
    Bug(
        "digits_net_loader_unseeded",
        "train_digits_net",
        "    loader = DataLoader(data, batch_size=batch_size, shuffle=True,\n"
        "                        generator=torch.Generator().manual_seed(seed))\n",
        "    loader = DataLoader(data, batch_size=batch_size, shuffle=True)\n",
        "the order of the examples must come from the seed",
    ),
    Bug(
        "init_params_bias_drawn_first",
        "init_params",
        "    W1 = rng.uniform(-k1, k1, size=(hidden_size, input_size))\n"
        "    b1 = rng.uniform(-k1, k1, size=hidden_size)\n",
        "    b1 = rng.uniform(-k1, k1, size=hidden_size)\n"
        "    W1 = rng.uniform(-k1, k1, size=(hidden_size, input_size))\n",
        "the draws come in the stated order: W1, then b1",
    ),
    Bug(
        "predict_argmax_over_examples",
        "predict",
        "    return forward(params, X)[0].argmax(axis=1)\n",
        "    return forward(params, X)[0].argmax(axis=0)\n",
        "the classes are the columns of the logits",
    ),
    Bug(
        "accuracy_counts_instead_of_fraction",
        "accuracy",
        "    return float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))\n",
        "    return float(np.sum(np.asarray(y_true) == np.asarray(y_pred)))\n",
        "a fraction of the examples, not a count",
    ),
    Bug(
        "digits_net_ignores_lr",
        "train_digits_net",
        "    optimizer = torch.optim.Adam(model.parameters(), lr=lr)\n",
        "    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)\n",
        "Adam's rate written in: every argument of the contract must take effect",
    ),
    Bug(
        "digits_net_ignores_batch_size",
        "train_digits_net",
        "    loader = DataLoader(data, batch_size=batch_size, shuffle=True,\n",
        "    loader = DataLoader(data, batch_size=128, shuffle=True,\n",
        "the batch size written in: every argument of the contract must take effect",
    ),
]
