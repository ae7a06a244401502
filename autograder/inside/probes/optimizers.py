"""Probes for 05_optimizers.

An optimizer object and a ``grad_fn`` cannot cross the process boundary, so these probes
build everything next to the student code from plain data, drive the student's
``SGD``/``Adam`` or ``gradient_descent``, and report plain data back: the parameter values
after every step *as the caller's own arrays hold them* (so an optimizer that rebinds
``p = p - ...`` or copies its parameters shows up as parameters that never move), whether
the list handed to the optimizer still holds the caller's arrays, and whether the gradients
came back unmodified.

The probes carry the contract names (``SGD``, ``Adam``, ``gradient_descent``) so that a
stub's ``NotImplementedError`` reaches the student as "SGD is not implemented yet". The
suite also runs them next to the reference solution, in a worker of its own, so the reference
runs on exactly the same inputs. numpy only: this module is imported in the submission's process,
where importing torch would look like the submission had used it.
"""

from __future__ import annotations

import numpy as np

from .common import contract_function

TYPE_CHECKING = False  # typing's flag, without importing typing at run time (mypy knows it)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from .common import Namespace

# ---- optimizers -----------------------------------------------------------------------------


def step_gradients(run: dict[str, Any], params: list[np.ndarray], k: int) -> list[np.ndarray]:
    """The gradients of step k (0-based): given ones, or those of the run's quadratic
    loss sum(0.5 * curvature * (p - target) ** 2) at the caller's current parameters."""
    if "grads" in run:
        return [np.array(g, dtype=np.float64) for g in run["grads"][k]]
    quad = run["quadratic"]
    return [
        np.asarray(c, dtype=np.float64) * (np.array(p, dtype=np.float64) - t)
        for c, p, t in zip(quad["curvature"], params, quad["target"])
    ]


def run_steps(run: dict[str, Any]) -> int:
    return len(run["grads"]) if "grads" in run else int(run["steps"])


def _optimize(ns: Namespace, name: str, runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Build one optimizer ``name(params, **kwargs)`` per run, then step them all,
    interleaved (step k of every run before step k + 1 of any), and report per run:

    trajectory      per parameter, an array (steps + 1, *shape): row 0 the initial values,
                    row k the values of the CALLER's array after step k
    same_objects    the list handed to the optimizer still holds the caller's arrays
    grads_intact    every gradient array was left as it was handed to step
    """
    cls = contract_function(ns, name)
    states: list[dict[str, Any]] = []
    for run in runs:
        params = [np.array(p, dtype=np.float64) for p in run["init"]]  # the caller's arrays
        handed = list(params)
        optimizer = cls(handed, **run.get("kwargs", {}))
        states.append(
            {
                "run": run,
                "params": params,
                "handed": handed,
                "opt": optimizer,
                "trajectory": [[p.copy()] for p in params],
                "same_objects": True,
                "grads_intact": True,
            }
        )
    for k in range(max(run_steps(run) for run in runs)):
        for state in states:
            if k >= run_steps(state["run"]):
                continue
            grads = step_gradients(state["run"], state["params"], k)
            kept = [g.copy() for g in grads]
            state["opt"].step(grads)
            for row, p in zip(state["trajectory"], state["params"]):
                row.append(np.array(p, dtype=np.float64))
            if not all(a is b for a, b in zip(state["handed"], state["params"])):
                state["same_objects"] = False
            if not all(
                isinstance(g, np.ndarray)
                and g.shape == c.shape
                and np.array_equal(g, c, equal_nan=True)
                for g, c in zip(grads, kept)
            ):
                state["grads_intact"] = False
    return [
        {
            "trajectory": [np.stack(row) for row in state["trajectory"]],
            "same_objects": state["same_objects"],
            "grads_intact": state["grads_intact"],
        }
        for state in states
    ]


def SGD(ns: Namespace, runs: list[dict[str, Any]]) -> list[dict[str, Any]]:  # noqa: N802 (named after the contract class)
    """Drive the submission's SGD over ``runs`` (see ``_optimize``): each run is a dict with
    ``init`` (list of arrays), ``kwargs`` (SGD's keyword arguments) and either ``grads``
    (one list of gradient arrays per step) or ``quadratic`` (``curvature``, ``target``:
    lists of arrays) with ``steps``."""
    return _optimize(ns, "SGD", runs)


def Adam(ns: Namespace, runs: list[dict[str, Any]]) -> list[dict[str, Any]]:  # noqa: N802
    """Drive the submission's Adam over ``runs``, as ``SGD`` does."""
    return _optimize(ns, "Adam", runs)


# ---- gradient_descent ------------------------------------------------------------------------


def grad_function(problem: dict[str, Any]) -> Callable[[np.ndarray], np.ndarray]:
    """The gradient of a named test problem, as a function of x:
    {"kind": "quadratic", "A": (D, D), "b": (D,)}: 0.5 x^T A x - b^T x (A symmetric);
    {"kind": "rosenbrock", "a": a, "b": b}: (a - x)^2 + b (y - x^2)^2 in 2-D."""
    if problem["kind"] == "quadratic":
        A = np.asarray(problem["A"], dtype=np.float64)
        b_vec = np.asarray(problem["b"], dtype=np.float64)
        return lambda x: A @ np.asarray(x, dtype=np.float64) - b_vec
    if problem["kind"] == "rosenbrock":
        a, b = float(problem["a"]), float(problem["b"])

        def rosenbrock_grad(x: np.ndarray) -> np.ndarray:
            x0, x1 = float(x[0]), float(x[1])
            return np.array(
                [-2.0 * (a - x0) - 4.0 * b * x0 * (x1 - x0 * x0), 2.0 * b * (x1 - x0 * x0)]
            )

        return rosenbrock_grad
    raise ValueError(f"unknown problem {problem['kind']!r}")


def gradient_descent(
    ns: Namespace, problem: dict[str, Any], x0: np.ndarray | list[float], kwargs: dict[str, Any]
) -> dict[str, Any]:
    """gradient_descent(grad_fn, x0, **kwargs) with grad_fn built here from ``problem``;
    returns {"path": what it returned, "x0_after": x0 as the caller holds it afterwards}."""
    fn = contract_function(ns, "gradient_descent")
    if isinstance(x0, np.ndarray):
        x0 = np.array(x0)  # the caller's own array
    path = fn(grad_function(problem), x0, **kwargs)
    return {"path": path, "x0_after": x0}
