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
    assert np.allclose(_p, [0.9, -0.9, 0.0], atol=1e-4), \
        "Adam's first step should move every entry by about lr = 0.1 against its gradient's sign, " \
        "whatever the gradient's size, and leave a zero-gradient entry alone, in place (p -= ...); " \
        f"got {_p}: check the bias correction (t must be 1 on the first step)"
    _adam.step([np.array([3e-3, 50.0, 0.0])])
    assert np.allclose(_p, [0.8082233, -0.90526316, 0.0], atol=1e-6), \
        f"second step: m = 0.9 m + 0.1 g, v = 0.999 v + 0.001 g * g, both bias-corrected; got {_p}"
    _q = np.array([2.0])
    _small = Adam([_q], lr=0.5, betas=(0.8, 0.99), eps=1e-6)
    _small.step([np.array([1e-6])])
    assert np.allclose(_q, [1.75]), \
        "with eps = 1e-6 and a gradient of 1e-6 the first step is lr * g / (|g| + eps) = 0.25: " \
        "eps is added after the square root, and betas and eps come from the arguments"
