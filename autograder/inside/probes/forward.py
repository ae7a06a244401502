"""Probes for 03_forward: a ``numpy.random.Generator`` cannot cross the process boundary, so
these build it next to the student code from a seed, call the student's function with it
and report the result plus what the generator draws next (which shows how many numbers the
function took from it, and so catches draw-order and draw-count mistakes).

The probes carry the contract names (``init_linear``, ``init_mlp``) so that a stub's
``NotImplementedError`` reaches the student as "init_linear is not implemented yet". The
suite also runs them next to the reference solution, in a worker of its own, so the reference
runs on exactly the same generator.
"""

from __future__ import annotations

import warnings

import numpy as np

from .common import contract_function

TYPE_CHECKING = False  # typing's flag, without importing typing at run time (mypy knows it)
if TYPE_CHECKING:
    from typing import Any

    from .common import Namespace


NEXT_DRAWS = 4  # how many rng.random() values to report after the call


def init_linear(ns: Namespace, in_features: int, out_features: int, seed: int) -> dict[str, Any]:
    """init_linear(in_features, out_features, np.random.default_rng(seed)) and the
    generator's next draws afterwards."""
    rng = np.random.default_rng(seed)
    result = contract_function(ns, "init_linear")(in_features, out_features, rng)
    return {"result": result, "next": rng.random(NEXT_DRAWS)}


def init_mlp(ns: Namespace, layer_sizes: list[int], seed: int) -> dict[str, Any]:
    """init_mlp(layer_sizes, np.random.default_rng(seed)) and the generator's next draws."""
    rng = np.random.default_rng(seed)
    result = contract_function(ns, "init_mlp")(list(layer_sizes), rng)
    if isinstance(result, tuple):
        result = list(result)
    return {"result": result, "next": rng.random(NEXT_DRAWS)}


def numeric_warnings(
    ns: Namespace, function: str, args: list[Any], kwargs: dict[str, Any]
) -> list[str]:
    """The messages of the floating-point warnings (overflow, invalid value, division by
    zero) that calling ``function(*args, **kwargs)`` produces; underflow is not reported."""
    with (
        warnings.catch_warnings(record=True) as caught,
        np.errstate(over="warn", invalid="warn", divide="warn", under="ignore"),
    ):
        warnings.simplefilter("always")
        contract_function(ns, function)(*args, **kwargs)
    return [str(w.message)[:200] for w in caught if issubclass(w.category, RuntimeWarning)][:5]
