"""Realistic mistakes in 05_optimizers (see bug_catalog.py)."""

from bug_catalog import Bug

BUGS = [
    Bug(
        "sgd_update_plus_sign",
        "sgd_update",
        "    return param - lr * grad",
        "    return param + lr * grad",
        "a step against the gradient goes downhill; + climbs",
    ),
    Bug(
        "sgd_update_in_place",
        "sgd_update",
        "    return param - lr * grad",
        "    param -= lr * grad\n    return param",
        "np.asarray does not copy a float64 array: -= changes the caller's param",
    ),
    Bug(
        "gradient_descent_without_x0",
        "gradient_descent",
        "path = [x]",
        "path = []",
        "the path starts with x0: steps + 1 rows",
    ),
    Bug(
        "gradient_descent_one_short",
        "gradient_descent",
        "for _ in range(steps):\n        x = sgd_update",
        "for _ in range(steps - 1):\n        x = sgd_update",
        "steps updates, not steps - 1",
    ),
    Bug(
        "gradient_descent_mutates_x0",
        "gradient_descent",
        "    x = np.array(x0, dtype=np.float64)  # a copy: the caller's x0 stays as it was\n"
        "    path = [x]\n"
        "    for _ in range(steps):\n"
        "        x = sgd_update(x, grad_fn(x), lr)\n"
        "        path.append(x)\n",
        "    x = np.asarray(x0, dtype=np.float64)\n"
        "    path = [x.copy()]\n"
        "    for _ in range(steps):\n"
        "        x -= lr * grad_fn(x)\n"
        "        path.append(x.copy())\n",
        "np.asarray(x0) is x0 itself, so x -= ... walks the caller's x0 to the end",
    ),
    Bug(
        "sgd_dampening",
        "SGD",
        "self.momentum * self.buffers[i] + g",
        "self.momentum * self.buffers[i] + (1 - self.momentum) * g",
        "torch's default dampening is 0: the new gradient is added in full",
    ),
    Bug(
        "sgd_zero_buffer",
        "SGD",
        "self.buffers[i] = g.copy()",
        "self.buffers[i] = np.zeros_like(g)",
        "the first buffer is the first gradient, so the first step moves",
    ),
    Bug(
        "sgd_buffer_applied_before_update",
        "SGD",
        "                if self.buffers[i] is None:\n"
        "                    self.buffers[i] = g.copy()\n"
        "                else:\n"
        "                    self.buffers[i] = self.momentum * self.buffers[i] + g\n"
        "                g = self.buffers[i]\n",
        "                if self.buffers[i] is None:\n"
        "                    self.buffers[i] = np.zeros_like(g)\n"
        "                p -= self.lr * self.buffers[i]\n"
        "                self.buffers[i] = self.momentum * self.buffers[i] + g\n"
        "                continue\n",
        "update the buffer with this step's gradient first, then step with it",
    ),
    Bug(
        "sgd_rebinds_params",
        "SGD",
        "p -= self.lr * g",
        "p = p - self.lr * g",
        "rebinding the loop variable leaves the caller's array unchanged",
    ),
    Bug(
        "sgd_ignores_momentum", "SGD", "if self.momentum != 0:", "if False:", "momentum never used"
    ),
    Bug(
        "adam_no_bias_correction",
        "Adam",
        "m_hat = self.m[i] / bias1\n            v_hat = self.v[i] / bias2",
        "m_hat = self.m[i]\n            v_hat = self.v[i]",
        "m and v start at zero: without the correction early steps are badly scaled",
    ),
    Bug(
        "adam_t_starts_at_one",
        "Adam",
        "self.t = 0",
        "self.t = 1",
        "t must be 1 on the first step, not 2",
    ),
    Bug(
        "adam_t_incremented_after",
        "Adam",
        "        self.t += 1\n"
        "        bias1 = 1 - self.beta1 ** self.t\n"
        "        bias2 = 1 - self.beta2 ** self.t\n",
        "        bias1 = 1 - self.beta1 ** self.t\n"
        "        bias2 = 1 - self.beta2 ** self.t\n"
        "        self.t += 1\n",
        "t is still 0 at the first bias correction: 1 - beta ** 0 = 0, a division by zero",
    ),
    Bug(
        "adam_eps_inside_sqrt",
        "Adam",
        "np.sqrt(v_hat) + self.eps",
        "np.sqrt(v_hat + self.eps)",
        "torch adds eps after the square root",
    ),
    Bug(
        "adam_v_uses_grad",
        "Adam",
        "(1 - self.beta2) * g * g",
        "(1 - self.beta2) * g",
        "the second moment averages the squared gradient",
    ),
    Bug(
        "adam_rebinds_params",
        "Adam",
        "p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)",
        "self.params[i] = p - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)",
        "swapping a new array into the optimizer's list leaves the caller's array unchanged",
    ),
]
