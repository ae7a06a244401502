"""Checks for `fit_standardizer` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "fit_standardizer"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(fit_standardizer, np):
    _X = np.array([[1.0, 5.0, 0.7], [3.0, 5.0, 0.7], [5.0, 5.0, 0.7]])
    _mean, _std = fit_standardizer(_X)
    assert np.allclose(_mean, [3.0, 5.0, 0.7]), "the mean of each column"
    assert np.allclose(_std[0], np.sqrt(8 / 3)), "np.std's default divides by N, not N - 1"
    assert _std[1] == 1.0 and _std[2] == 1.0, "constant columns get std 1.0 (compare with 1e-8, not 0)"
