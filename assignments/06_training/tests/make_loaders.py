"""Checks for `make_loaders` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "make_loaders"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(make_loaders, np):
    _X = np.arange(20, dtype=np.float32).reshape(10, 2)  # row i holds 2i and 2i + 1
    _train, _val = make_loaders(_X, np.arange(10) % 2, batch_size=4, val_fraction=0.3, seed=1)
    _rows = lambda loader: [int(x[0]) // 2 for xb, _ in loader for x in xb]
    assert len(_rows(_val)) == 3 and len(_rows(_train)) == 7, "int(10 * 0.3) = 3 validation examples"
    assert sorted(_rows(_train) + _rows(_val)) == list(range(10)), \
        "train and validation should hold every example exactly once"
    assert _rows(_val) == _rows(_val), "the validation loader should not shuffle"
    assert all(int(x[0]) // 2 % 2 == int(t) for xb, yb in _train for x, t in zip(xb, yb)), \
        "each x should stay paired with its label"
    assert [len(xb) for xb, _ in _train] == [4, 3], "batches of batch_size, the last one smaller"
