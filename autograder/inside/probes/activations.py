"""Probes for 02_activations: call a contract function next to the student code while
recording numpy's floating-point warnings, so the suite can tell a stable implementation
from one that overflows on the way to a right-looking answer (``1 / (1 + exp(1e4))`` is 0.0
after an overflow warning).

Each probe carries the name of the contract function it calls (``sigmoid``, ``softmax``,
...), so a stub's ``NotImplementedError`` reaches the student as "sigmoid is not
implemented yet". Each returns ``{"value": the result, "warnings": [messages]}``.

No torch here: the worker's loaded modules are checked for banned libraries.
"""

from __future__ import annotations

import warnings

import numpy as np

from .common import contract_function

TYPE_CHECKING = False  # typing's flag, without importing typing at run time (mypy knows it)
if TYPE_CHECKING:
    from typing import Any

    from .common import Namespace


def _recorded(ns: Namespace, name: str, args: list[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    """``name(*args, **kwargs)`` with overflow, invalid-value and division warnings recorded
    (underflow, which rounds harmlessly to 0, is not reported)."""
    with (
        warnings.catch_warnings(record=True) as caught,
        np.errstate(over="warn", invalid="warn", divide="warn", under="ignore"),
    ):
        warnings.simplefilter("always")
        value = contract_function(ns, name)(*args, **dict(kwargs))
    messages = [str(w.message)[:200] for w in caught if issubclass(w.category, RuntimeWarning)]
    return {"value": value, "warnings": messages[:5]}


def sigmoid(ns: Namespace, args: list[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    return _recorded(ns, "sigmoid", args, kwargs)


def sigmoid_grad(ns: Namespace, args: list[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    return _recorded(ns, "sigmoid_grad", args, kwargs)


def tanh(ns: Namespace, args: list[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    return _recorded(ns, "tanh", args, kwargs)


def tanh_grad(ns: Namespace, args: list[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    return _recorded(ns, "tanh_grad", args, kwargs)


def relu(ns: Namespace, args: list[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    return _recorded(ns, "relu", args, kwargs)


def relu_grad(ns: Namespace, args: list[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    return _recorded(ns, "relu_grad", args, kwargs)


def leaky_relu(ns: Namespace, args: list[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    return _recorded(ns, "leaky_relu", args, kwargs)


def leaky_relu_grad(ns: Namespace, args: list[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    return _recorded(ns, "leaky_relu_grad", args, kwargs)


def elu(ns: Namespace, args: list[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    return _recorded(ns, "elu", args, kwargs)


def elu_grad(ns: Namespace, args: list[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    return _recorded(ns, "elu_grad", args, kwargs)


def softmax(ns: Namespace, args: list[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    return _recorded(ns, "softmax", args, kwargs)
