"""Checks for `train_val_split` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "train_val_split"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(train_val_split, np):
    _X = np.arange(20.0).reshape(10, 2)
    _parts = train_val_split(_X, np.arange(10), val_fraction=0.3, seed=1)
    assert len(_parts) == 4, "return (X_train, X_val, y_train, y_val)"
    _Xtr, _Xva, _ytr, _yva = _parts
    assert _Xtr.shape == (7, 2) and _Xva.shape == (3, 2), "int(10 * 0.3) = 3 validation rows"
    assert sorted(_ytr.tolist() + _yva.tolist()) == list(range(10)), "every row in exactly one part"
    assert np.array_equal(_Xtr[:, 0] // 2, _ytr), "each row must keep its own label"
    assert np.array_equal(_yva, np.random.default_rng(1).permutation(10)[:3]), \
        "the validation rows are the first n_val indices of default_rng(seed).permutation(N)"
