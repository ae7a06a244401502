"""Probes for 04_backprop.

``numerical_gradient(f, x, h)`` takes a *function*, which cannot cross the process boundary.
So the functions to differentiate are built here: the probe calls the student's
``numerical_gradient`` next to the student code with one of ``FUNCTIONS`` (the quadratic form
made of the grader's ``A`` and ``c``) and a float array ``x``, and returns the gradient,
``x`` as it was afterwards (to check it was restored exactly) and how often ``f`` was called.
Their analytic gradients are not here (code in the worker could return them instead of
differencing): the suite has them.

No torch here: the worker's loaded modules are checked for banned libraries.
"""

from __future__ import annotations

import warnings

import numpy as np

from .common import contract_function

TYPE_CHECKING = False  # typing's flag, without importing typing at run time (mypy knows it)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    import numpy.typing as npt

    from .common import Namespace


def quadratic(A: npt.ArrayLike, c: npt.ArrayLike) -> Callable[[np.ndarray], float]:
    """x -> 0.5 x.A.x + c.x over the entries of x: couples every entry with every other."""
    A, c = np.asarray(A, dtype=np.float64), np.asarray(c, dtype=np.float64)

    def f(x: np.ndarray) -> float:
        v = np.asarray(x, dtype=np.float64).ravel()
        return float(0.5 * v @ A @ v + c @ v)

    return f


def sines(x: np.ndarray) -> float:
    """sum(x * sin(2 x)), elementwise."""
    x = np.asarray(x, dtype=np.float64)
    return float(np.sum(x * np.sin(2 * x)))


def cubic(x: np.ndarray) -> float:
    """sum(x ** 3): its central difference with step h is exactly 3 x^2 + h^2."""
    x = np.asarray(x, dtype=np.float64)
    return float(np.sum(x**3))


def mixed(x: np.ndarray) -> float:
    """sum(exp(x / 2)) + (sum of x times a fixed ramp) ** 2: curved and coupled."""
    x = np.asarray(x, dtype=np.float64)
    ramp = np.linspace(-1.0, 1.0, x.size).reshape(x.shape)
    return float(np.sum(np.exp(x / 2)) + np.sum(x * ramp) ** 2)


FUNCTIONS: dict[str, Callable[[np.ndarray], float]] = {
    "sines": sines,
    "cubic": cubic,
    "mixed": mixed,
}


def numerical_gradient(
    ns: Namespace,
    function: str,
    x: np.ndarray,
    h: float | None = None,
    parts: list[np.ndarray] | None = None,
) -> dict[str, Any]:
    """The student's numerical_gradient(f, x[, h]) for f = FUNCTIONS[function], or for
    ``quadratic(*parts)`` where ``function`` is "quadratic": a dict with the gradient, x as it
    was afterwards, and the number of calls of f."""
    # (parts are given with "quadratic")
    f = quadratic(*parts) if function == "quadratic" else FUNCTIONS[function]  # type: ignore[misc]
    calls = [0]

    def counted(v: np.ndarray) -> float:
        calls[0] += 1
        return f(v)

    student = contract_function(ns, "numerical_gradient")
    grad = student(counted, x) if h is None else student(counted, x, h)
    return {"grad": grad, "x_after": x, "calls": calls[0]}


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
