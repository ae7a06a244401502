"""Probes for 03_forward: a ``numpy.random.Generator`` cannot cross the process boundary, so
these build it next to the student code from a seed, call the student's function with it
and report the result plus what the generator draws next (which shows how many numbers the
function took from it, and so catches draw-order and draw-count mistakes).

The probes carry the contract names (``init_linear``, ``init_mlp``) so that a stub's
``NotImplementedError`` reaches the student as "init_linear is not implemented yet". The
suite also runs them next to the reference solution, in a worker of its own, so the reference
runs on exactly the same generator.
"""

import warnings

import numpy as np

from .common import contract_function

NEXT_DRAWS = 4  # how many rng.random() values to report after the call


def init_linear(ns, in_features, out_features, seed):
    """init_linear(in_features, out_features, np.random.default_rng(seed)) and the
    generator's next draws afterwards."""
    rng = np.random.default_rng(seed)
    result = contract_function(ns, "init_linear")(in_features, out_features, rng)
    return {"result": result, "next": rng.random(NEXT_DRAWS)}


def init_mlp(ns, layer_sizes, seed):
    """init_mlp(layer_sizes, np.random.default_rng(seed)) and the generator's next draws."""
    rng = np.random.default_rng(seed)
    result = contract_function(ns, "init_mlp")(list(layer_sizes), rng)
    if isinstance(result, tuple):
        result = list(result)
    return {"result": result, "next": rng.random(NEXT_DRAWS)}


def numeric_warnings(ns, function, args, kwargs):
    """The messages of the floating-point warnings (overflow, invalid value, division by
    zero) that calling ``function(*args, **kwargs)`` produces; underflow is not reported."""
    with warnings.catch_warnings(record=True) as caught, \
            np.errstate(over="warn", invalid="warn", divide="warn", under="ignore"):
        warnings.simplefilter("always")
        contract_function(ns, function)(*args, **kwargs)
    return [str(w.message)[:200] for w in caught if issubclass(w.category, RuntimeWarning)][:5]
