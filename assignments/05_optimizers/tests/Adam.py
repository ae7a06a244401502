"""Checks for `Adam` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "Adam"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(Adam, np):
    _p = np.array([1.0, -1.0, 0.0])
    _adam = Adam([_p], lr=0.1)
    _adam.step([np.array([1e-3, -50.0, 0.0])])
    assert not np.array_equal(_p, [1.0, -1.0, 0.0]), \
        "the first step left p as it was. This looks like: parameters rebound instead of updated " \
        "in place (p = p - ...): the caller's arrays never change. Write into them: p -= ..."
    assert np.all(np.isfinite(_p)), \
        f"got {_p} after the first step. In Adam a nan or inf usually comes from a division by zero " \
        "in the bias correction (t must be 1 on the first step, so 1 - beta ** t is never 0) or " \
        "from the square root of a negative v (v must average grad * grad)"
    _mistakes = {  # what the first step makes of the entry 1.0 (gradient 1e-3, lr 0.1) in classic bugs
        "eps inside the square root (torch adds eps after it: sqrt(v_hat) + eps)":
            1 - 0.1 * 1e-3 / np.sqrt(1e-6 + 1e-8),
        "Adam without bias correction (divide m by 1 - beta1 ** t and v by 1 - beta2 ** t)":
            1 - 0.1 * 1e-4 / (np.sqrt(1e-9) + 1e-8),
        "Adam step count off by one (t must start at 1): t += 1 once per step, before the "
        "bias correction": 1 - 0.1 * (1e-4 / 0.19) / (np.sqrt(1e-9 / (1 - 0.999 ** 2)) + 1e-8),
        "v averaging grad (or |grad|) instead of grad * grad": 1 - 0.1 * 1e-3 / (np.sqrt(1e-3) + 1e-8),
        "eps scaled by the bias correction (the paper's 'efficient' form); torch adds eps to "
        "sqrt(v_hat)": 1 - 0.1 * 1e-3 / (1e-3 + 1e-8 / np.sqrt(1e-3)),
    }
    for _mistake, _value in _mistakes.items():
        assert not np.isclose(_p[0], _value, rtol=0, atol=1e-9), \
            f"got {_p} after the first step. This looks like: {_mistake}"
    assert np.allclose(_p, [1 - 1e-4 / (1e-3 + 1e-8), -1 + 5 / (50 + 1e-8), 0.0], rtol=0, atol=1e-9), \
        "Adam's first step should move every entry by about lr = 0.1 against its gradient's sign, " \
        "whatever the gradient's size, and leave a zero-gradient entry alone, in place (p -= ...); " \
        f"got {_p}"
    _adam.step([np.array([3e-3, 50.0, 0.0])])
    assert np.allclose(_p, [0.8082233, -0.90526316, 0.0], atol=1e-6), \
        f"second step: m = 0.9 m + 0.1 g, v = 0.999 v + 0.001 g * g, both bias-corrected; got {_p}"
    _q = np.array([2.0])
    _small = Adam([_q], lr=0.5, betas=(0.8, 0.99), eps=1e-6)
    _small.step([np.array([1e-6])])
    assert np.allclose(_q, [1.75]), \
        "with eps = 1e-6 and a gradient of 1e-6 the first step is lr * g / (|g| + eps) = 0.25: " \
        "eps is added after the square root, and betas and eps come from the arguments"
