"""Realistic mistakes in 02_activations (see bug_catalog.py)."""

from bug_catalog import Bug

SIGMOID_BODY = (
    "    e = np.exp(-np.abs(x))  # in (0, 1]: never overflows\n"
    "    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))"
)
TANH_BODY = (
    "    e = np.exp(-2.0 * np.abs(x))  # in (0, 1]: never overflows\n"
    "    return np.copysign((1.0 - e) / (1.0 + e), x)"
)
SOFTMAX_BODY = (
    "    shifted = x - np.max(x, axis=axis, keepdims=True)\n"
    "    e = np.exp(shifted)\n"
    "    return e / np.sum(e, axis=axis, keepdims=True)"
)

BUGS = [
    # sigmoid
    Bug(
        "sigmoid_naive_overflow",
        "sigmoid",
        SIGMOID_BODY,
        "    return 1.0 / (1.0 + np.exp(-x))",
        "the textbook formula overflows (with a warning) for x around -1000",
    ),
    Bug(
        "sigmoid_where_computes_both_branches",
        "sigmoid",
        SIGMOID_BODY,
        "    return np.where(x >= 0, 1.0 / (1.0 + np.exp(-x)), np.exp(x) / (1.0 + np.exp(x)))",
        "np.where evaluates both branches, so the discarded one still overflows",
    ),
    Bug(
        "sigmoid_grad_plus",
        "sigmoid_grad",
        "return s * (1.0 - s)",
        "return s * (1.0 + s)",
        "the derivative is s * (1 - s)",
    ),
    Bug(
        "sigmoid_grad_of_x",
        "sigmoid_grad",
        "    s = sigmoid(x)\n    return s * (1.0 - s)",
        "    x = np.asarray(x, dtype=np.float64)\n    return x * (1.0 - x)",
        "the formula is in terms of sigmoid(x), not x",
    ),
    # tanh
    Bug(
        "tanh_calls_numpy",
        "tanh",
        TANH_BODY,
        "    return np.tanh(x)",
        "the exercise is to build tanh from exp",
    ),
    Bug(
        "tanh_naive_overflow",
        "tanh",
        TANH_BODY,
        "    return (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))",
        "inf / inf is nan for large |x|",
    ),
    Bug(
        "tanh_forgets_sign",
        "tanh",
        "np.copysign((1.0 - e) / (1.0 + e), x)",
        "(1.0 - e) / (1.0 + e)",
        "tanh(|x|) needs the sign of x back",
    ),
    Bug(
        "tanh_grad_of_x",
        "tanh_grad",
        "    t = tanh(x)\n    return 1.0 - t * t",
        "    x = np.asarray(x, dtype=np.float64)\n    return 1.0 - x ** 2",
        "the formula is 1 - tanh(x) ** 2, not 1 - x ** 2",
    ),
    # relu
    Bug(
        "relu_in_place",
        "relu",
        "    return np.where(x > 0, x, 0.0)",
        "    x[x < 0] = 0.0\n    return x",
        "zeroes the caller's array",
    ),
    Bug(
        "relu_keeps_int_dtype",
        "relu",
        "    x = np.asarray(x, dtype=np.float64)\n    return np.where(x > 0, x, 0.0)",
        "    return np.maximum(x, 0)",
        "np.maximum keeps an int input's dtype: the output must be float64",
    ),
    Bug(
        "relu_grad_one_at_zero",
        "relu_grad",
        "return np.where(x > 0, 1.0, 0.0)",
        "return np.where(x >= 0, 1.0, 0.0)",
        "torch's relu slope at exactly 0 is 0",
    ),
    # leaky_relu
    Bug(
        "leaky_relu_ignores_slope",
        "leaky_relu",
        "return np.where(x > 0, x, negative_slope * x)",
        "return np.where(x > 0, x, 0.01 * x)",
        "the negative_slope argument must be used",
    ),
    Bug(
        "leaky_relu_maximum_form",
        "leaky_relu",
        "return np.where(x > 0, x, negative_slope * x)",
        "return np.maximum(x, negative_slope * x)",
        "max(x, a x) is leaky_relu only for a <= 1",
    ),
    Bug(
        "leaky_relu_grad_one_at_zero",
        "leaky_relu_grad",
        "return np.where(x > 0, 1.0, negative_slope)",
        "return np.where(x >= 0, 1.0, negative_slope)",
        "torch's slope at exactly 0 is negative_slope",
    ),
    Bug(
        "leaky_relu_grad_ignores_slope",
        "leaky_relu_grad",
        "return np.where(x > 0, 1.0, negative_slope)",
        "return np.where(x > 0, 1.0, 0.01)",
        "the negative_slope argument must be used",
    ),
    # elu
    Bug(
        "elu_forgets_alpha",
        "elu",
        "alpha * np.expm1(np.minimum(x, 0.0))",
        "np.expm1(np.minimum(x, 0.0))",
        "alpha scales the negative branch",
    ),
    Bug(
        "elu_exp_of_large_x",
        "elu",
        "alpha * np.expm1(np.minimum(x, 0.0))",
        "alpha * (np.exp(x) - 1)",
        "np.where computes exp(x) also where x > 0: overflow for x around 1e4",
    ),
    Bug(
        "elu_grad_one_at_zero",
        "elu_grad",
        "return np.where(x > 0, 1.0, alpha",
        "return np.where(x >= 0, 1.0, alpha",
        "torch's elu slope at exactly 0 is alpha * exp(0) = alpha",
    ),
    Bug(
        "elu_grad_forgets_alpha",
        "elu_grad",
        "alpha * np.exp(np.minimum(x, 0.0))",
        "np.exp(np.minimum(x, 0.0))",
        "alpha scales the negative slope",
    ),
    Bug(
        "elu_grad_exp_of_large_x",
        "elu_grad",
        "alpha * np.exp(np.minimum(x, 0.0))",
        "alpha * np.exp(x)",
        "np.where computes exp(x) also where x > 0: overflow for x around 1e4",
    ),
    # softmax
    Bug(
        "softmax_no_max_subtraction",
        "softmax",
        "\n    shifted = x - np.max(x, axis=axis, keepdims=True)\n",
        "\n    shifted = x\n",
        "exp of logits around 1000 overflows: subtract the maximum first",
    ),
    Bug(
        "softmax_ignores_axis",
        "softmax",
        SOFTMAX_BODY,
        SOFTMAX_BODY.replace("axis=axis", "axis=0"),
        "the classes lie along `axis`, not always along axis 0",
    ),
    Bug(
        "softmax_sums_everything",
        "softmax",
        "return e / np.sum(e, axis=axis, keepdims=True)",
        "return e / np.sum(e)",
        "each row (each group along axis) is normalised separately",
    ),
    Bug(
        "softmax_max_without_keepdims",
        "softmax",
        "\n    shifted = x - np.max(x, axis=axis, keepdims=True)\n",
        "\n    shifted = x - np.max(x, axis=axis)\n",
        "without keepdims the maximum does not broadcast along the right axis",
    ),
    Bug(
        "softmax_in_place",
        "softmax",
        "\n    shifted = x - np.max(x, axis=axis, keepdims=True)\n    e = np.exp(shifted)\n",
        "\n    x -= np.max(x, axis=axis, keepdims=True)\n    e = np.exp(x)\n",
        "subtracting the maximum in place changes the caller's logits",
    ),
]
