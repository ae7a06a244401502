"""Checks for `SGD` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "SGD"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(SGD, np):
    _w, _b = np.array([1.0, 2.0]), np.array([0.5])
    _opt = SGD([_w, _b], lr=0.1, momentum=0.9)
    _opt.step([np.array([1.0, -1.0]), np.array([2.0])])
    assert not (np.array_equal(_w, [1.0, 2.0]) and np.array_equal(_b, [0.5])), \
        "the first step did not move: the buffer starts as a copy of the first gradient and is " \
        "used in that same step (and p must change in place: p -= ...)"
    assert np.allclose(_w, [0.9, 2.1]) and np.allclose(_b, [0.3]), \
        "after the first step w should be [0.9, 2.1] and b [0.3], changed IN PLACE (p -= ...): " \
        "the first buffer is the gradient itself, so the first step is p -= lr * grad"
    _opt.step([np.array([1.0, -1.0]), np.array([0.0])])
    for _mistake, (_w_then, _b_then) in {  # what classic mistakes make of the second step
            "momentum ignored: these are plain SGD steps": ([0.8, 2.2], [0.3]),
            "momentum with dampening (1 - momentum) * grad": ([0.8, 2.2], [0.12])}.items():
        assert not (np.allclose(_w, _w_then) and np.allclose(_b, _b_then)), \
            f"second step: got w = {_w}, b = {_b}. This looks like: {_mistake}"
    assert np.allclose(_w, [0.71, 2.29]) and np.allclose(_b, [0.12]), \
        "second step: buffer = 0.9 * buffer + grad (no (1 - momentum) factor), then p -= lr * buffer"
    _q = np.array([3.0])
    _plain = SGD([_q], lr=0.5)
    _g = np.array([2.0])
    _plain.step([_g])
    _plain.step([_g])
    assert np.allclose(_q, [1.0]) and _g.tolist() == [2.0], \
        "momentum=0 is plain SGD: two steps of 0.5 * 2 from 3 reach 1 (and grads are not modified)"
