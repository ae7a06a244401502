"""Realistic mistakes in 03_forward (see bug_catalog.py)."""

from bug_catalog import Bug

BUGS = [
    Bug(
        "linear_untransposed",
        "linear_forward",
        "    return x @ W.T + b\n",
        "    return x @ W + b\n",
        "W is (out, in) as in torch: the product needs W.T",
    ),
    Bug(
        "linear_forgets_bias",
        "linear_forward",
        "    return x @ W.T + b\n",
        "    return x @ W.T\n",
        "the bias is part of every unit's weighted sum",
    ),
    Bug(
        "init_b_before_W",
        "init_linear",
        "    W = rng.uniform(-k, k, size=(out_features, in_features))\n"
        "    b = rng.uniform(-k, k, size=out_features)\n",
        "    b = rng.uniform(-k, k, size=out_features)\n"
        "    W = rng.uniform(-k, k, size=(out_features, in_features))\n",
        "the generator's stream must give W first, then b",
    ),
    Bug(
        "init_k_from_out",
        "init_linear",
        "k = 1.0 / np.sqrt(in_features)",
        "k = 1.0 / np.sqrt(out_features)",
        "the scale divides out the number of inputs each unit sums over",
    ),
    Bug(
        "init_uniform_zero_to_k",
        "init_linear",
        "W = rng.uniform(-k, k, size=(out_features, in_features))",
        "W = rng.uniform(0, k, size=(out_features, in_features))",
        "weights are centred on zero",
    ),
    Bug(
        "init_W_shape_swapped",
        "init_linear",
        "W = rng.uniform(-k, k, size=(out_features, in_features))",
        "W = rng.uniform(-k, k, size=(in_features, out_features))",
        "torch's layout is (out_features, in_features)",
    ),
    Bug(
        "init_uses_global_random",
        "init_linear",
        "W = rng.uniform(-k, k, size=(out_features, in_features))",
        "W = np.random.uniform(-k, k, size=(out_features, in_features))",
        "draw from the generator passed in, so that a seed reproduces the network",
    ),
    Bug(
        "init_mlp_swaps_in_and_out",
        "init_mlp",
        "[init_linear(n_in, n_out, rng) for n_in, n_out in",
        "[init_linear(n_out, n_in, rng) for n_in, n_out in",
        "init_linear takes in_features first",
    ),
    Bug(
        "init_mlp_new_generator_per_layer",
        "init_mlp",
        "[init_linear(n_in, n_out, rng) for n_in, n_out in",
        "[init_linear(n_in, n_out, np.random.default_rng(0)) for n_in, n_out in",
        "all layers draw in turn from the one generator passed in",
    ),
    Bug(
        "mlp_activation_on_last_layer",
        "mlp_forward",
        "    return linear_forward(h, W_out, b_out)\n",
        "    return phi(linear_forward(h, W_out, b_out))\n",
        "the logits are the last layer's linear output",
    ),
    Bug(
        "mlp_no_hidden_activation",
        "mlp_forward",
        "        h = phi(linear_forward(h, W, b))\n",
        "        h = linear_forward(h, W, b)\n",
        "without activations the network collapses to one linear map",
    ),
    Bug(
        "mlp_unknown_activation_defaults_to_relu",
        "mlp_forward",
        "    if activation not in ACTIVATIONS:\n"
        '        raise ValueError(f"unknown activation {activation!r}; choose one of '
        '{sorted(ACTIVATIONS)}")\n'
        "    phi = ACTIVATIONS[activation]\n",
        "    phi = ACTIVATIONS.get(activation, relu)\n",
        "a typo in the name must not silently change the network",
    ),
    Bug(
        "mlp_pops_params",
        "mlp_forward",
        "    *hidden, (W_out, b_out) = params\n",
        "    W_out, b_out = params.pop()\n    hidden = params\n",
        "list.pop() removes the last layer from the caller's list",
    ),
    Bug(
        "predict_argmin",
        "predict",
        "np.argmax(mlp_forward(x, params, activation), axis=1)",
        "np.argmin(mlp_forward(x, params, activation), axis=1)",
        "the predicted class has the largest logit",
    ),
    Bug(
        "predict_wrong_axis",
        "predict",
        "np.argmax(mlp_forward(x, params, activation), axis=1)",
        "np.argmax(mlp_forward(x, params, activation), axis=0)",
        "the classes are along axis 1 of the (N, C) logits",
    ),
    Bug(
        "predict_ignores_activation",
        "predict",
        "np.argmax(mlp_forward(x, params, activation), axis=1)",
        "np.argmax(mlp_forward(x, params), axis=1)",
        "the activation argument must reach the forward pass",
    ),
    Bug(
        "count_forgets_biases",
        "count_parameters",
        "sum(n_out * n_in + n_out for",
        "sum(n_out * n_in for",
        "every output unit has a bias",
    ),
    Bug(
        "count_bias_per_input",
        "count_parameters",
        "sum(n_out * n_in + n_out for",
        "sum(n_out * n_in + n_in for",
        "a layer has one bias per output unit, not per input",
    ),
]
