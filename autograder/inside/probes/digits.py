"""Probes for 07_digits: they build torch objects and generators next to the student code,
call the student's functions on them and report plain data (numbers, lists, dicts, numpy
arrays) back to the hidden suite, which checks every value against its own computation.

The suite also runs some of them next to the reference solution, in a worker of its own
(``reference.probe``), so that the reference runs on exactly the same inputs.
"""

from __future__ import annotations

import types

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from .common import contract_function
from .training import _number, _type_name  # the same plain-data helpers as 06

TYPE_CHECKING = False  # typing's flag, without importing typing at run time (mypy knows it)
if TYPE_CHECKING:
    from typing import Any

    import numpy.typing as npt

    from .common import Namespace
    from .training import Weights


NEXT_DRAWS = 4  # how many rng.random() values to report after init_params


def _state(model: nn.Module) -> dict[str, np.ndarray]:
    return {name: p.detach().cpu().numpy() for name, p in model.state_dict().items()}


def _tensor(array: npt.ArrayLike, dtype: torch.dtype | None = None) -> torch.Tensor:
    return torch.as_tensor(np.asarray(array), dtype=dtype)


# ---- the numpy network ---------------------------------------------------------------------


def init_params(
    ns: Namespace, input_size: int, hidden_size: int, num_classes: int, seed: int
) -> dict[str, Any]:
    """init_params(..., np.random.default_rng(seed)) and the generator's next draws."""
    rng = np.random.default_rng(seed)
    result = contract_function(ns, "init_params")(input_size, hidden_size, num_classes, rng)
    return {"result": result, "next": rng.random(NEXT_DRAWS)}


def numpy_only(ns: Namespace, names: list[str], banned: list[str]) -> dict[str, list[str]]:
    """For each function in ``names``: the banned top-level modules (of ``banned``) that the
    globals it reads come from, following the submission's own functions it calls."""
    found: dict[str, list[str]] = {}
    seen: set[int] = set()

    def origin(value: object) -> str | None:
        if isinstance(value, types.ModuleType):
            return value.__name__
        return getattr(value if callable(value) else type(value), "__module__", None)

    def visit(function: object, into: set[str]) -> None:
        code = getattr(function, "__code__", None)
        if code is None or id(code) in seen:
            return
        seen.add(id(code))
        codes = [code]
        while codes:
            current = codes.pop()
            codes += [c for c in current.co_consts if isinstance(c, types.CodeType)]
            for name in current.co_names:
                value = getattr(function, "__globals__", {}).get(name)
                root = (origin(value) or "").split(".")[0]
                if root in banned:
                    into.add(root)
                elif (
                    isinstance(value, types.FunctionType)
                    and value.__module__ == function.__module__
                ):
                    visit(value, into)

    for name in names:
        used: set[str] = set()
        visit(contract_function(ns, name), used)
        seen.clear()
        found[name] = sorted(used)
    return found


# ---- the PyTorch network --------------------------------------------------------------------


def digits_net_structure(
    ns: Namespace, input_size: int, hidden_size: int, num_classes: int, dropout: float
) -> dict[str, Any]:
    """What DigitsNet(input_size, hidden_size, num_classes, dropout) is made of."""
    model = contract_function(ns, "DigitsNet")(input_size, hidden_size, num_classes, dropout)
    if not isinstance(model, nn.Module):
        return {"is_module": False, "class": _type_name(model)}
    return {
        "is_module": True,
        "class": _type_name(model),
        "children": [[name, _type_name(child)] for name, child in model.named_children()],
        "params": [[name, list(p.shape)] for name, p in model.named_parameters()],
        "dropout": [float(m.p) for m in model.modules() if isinstance(m, nn.Dropout)],
    }


def digits_net_init(ns: Namespace, seed: int) -> dict[str, np.ndarray]:
    """The parameters of DigitsNet(64) built right after torch.manual_seed(seed)."""
    torch.manual_seed(seed)
    return _state(contract_function(ns, "DigitsNet")(64))


def digits_net_logits(
    ns: Namespace,
    weights: Weights,
    x: np.ndarray,
    mode: str,
    seed: int,
    dropout: float | None = None,
) -> dict[str, Any]:
    """DigitsNet (with the rate ``dropout`` where given) with the given weights
    (load_state_dict), in "train" or "eval" mode, applied to x right after
    torch.manual_seed(seed) (which fixes the dropout mask)."""
    hidden, inputs = np.shape(weights["fc1.weight"])
    classes = np.shape(weights["fc2.weight"])[0]
    rate = () if dropout is None else (dropout,)
    model = contract_function(ns, "DigitsNet")(inputs, hidden, classes, *rate)
    model.load_state_dict({k: _tensor(v) for k, v in weights.items()})
    model.train(mode == "train")
    torch.manual_seed(seed)
    out = model(_tensor(x, torch.float32))
    if not isinstance(out, torch.Tensor):
        return {"type": _type_name(out), "logits": None}
    return {"type": "torch.Tensor", "logits": out.detach().numpy()}


class LoopNet(nn.Module):
    """The suite's own model for testing the loop functions (DigitsNet's layout)."""

    def __init__(self, weights: Weights, dropout: float) -> None:
        super().__init__()
        hidden, inputs = np.shape(weights["fc1.weight"])
        self.fc1 = nn.Linear(inputs, hidden)
        self.relu = nn.ReLU()
        self.drop = nn.Dropout(dropout)
        self.fc2 = nn.Linear(hidden, np.shape(weights["fc2.weight"])[0])
        self.load_state_dict({k: _tensor(v) for k, v in weights.items()})

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(self.drop(self.relu(self.fc1(x))))


def _loader(X: np.ndarray, y: np.ndarray, batch_size: int) -> DataLoader[tuple[torch.Tensor, ...]]:
    return DataLoader(
        TensorDataset(_tensor(X, torch.float32), _tensor(y, torch.int64)),
        batch_size=batch_size,
        shuffle=False,
    )


def train_one_epoch(
    ns: Namespace,
    weights: Weights,
    X: np.ndarray,
    y: np.ndarray,
    batch_size: int,
    lr: float,
    dropout: float,
    seed: int,
) -> dict[str, Any]:
    """train_one_epoch on LoopNet(weights) left in eval mode, over a non-shuffled loader,
    with torch.optim.SGD(lr) and cross-entropy, after torch.manual_seed(seed). Reports the
    returned loss, the parameters afterwards and the mode of every forward pass."""
    model = LoopNet(weights, dropout)
    model.eval()
    modes: list[bool] = []
    model.drop.register_forward_hook(lambda m, i, o: modes.append(bool(m.training)))
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    torch.manual_seed(seed)
    loss = contract_function(ns, "train_one_epoch")(
        model, _loader(X, y, batch_size), nn.CrossEntropyLoss(), optimizer, torch.device("cpu")
    )
    return {"loss": _number(loss), "params": _state(model), "modes": modes}


def evaluate(
    ns: Namespace,
    weights: Weights,
    X: np.ndarray,
    y: np.ndarray,
    batch_size: int,
    dropout: float,
    seed: int,
) -> dict[str, Any]:
    """evaluate on LoopNet(weights) left in training mode, over a non-shuffled loader with
    cross-entropy. Reports the result, the mode of every forward pass, whether autograd
    recorded, and the names of parameters that received a gradient."""
    model = LoopNet(weights, dropout)
    model.train()
    modes: list[bool] = []
    recording: list[bool] = []
    model.drop.register_forward_hook(lambda m, i, o: modes.append(bool(m.training)))
    model.register_forward_hook(
        lambda m, i, o: recording.append(bool(torch.is_grad_enabled() or o.requires_grad))
    )
    torch.manual_seed(seed)
    result = contract_function(ns, "evaluate")(
        model, _loader(X, y, batch_size), nn.CrossEntropyLoss(), torch.device("cpu")
    )
    items = None
    if isinstance(result, (tuple, list)):
        items = [_number(v) for v in result]
    return {
        "kind": type(result).__name__,
        "items": items,
        "modes": modes,
        "recording": recording,
        "grads": [name for name, p in model.named_parameters() if p.grad is not None],
    }


def train_digits_net(
    ns: Namespace, X: np.ndarray, y: np.ndarray, epochs: int, lr: float, batch_size: int, seed: int
) -> dict[str, Any]:
    """train_digits_net(X, y, ...) and what came back: the model's parameters, its class and
    the losses."""
    result = contract_function(ns, "train_digits_net")(
        np.asarray(X), np.asarray(y), epochs=epochs, lr=lr, batch_size=batch_size, seed=seed
    )
    if not (isinstance(result, (tuple, list)) and len(result) == 2):
        return {"returned": _type_name(result)}
    model, losses = result
    if not isinstance(model, nn.Module):
        return {"returned": "pair", "model": _type_name(model)}
    return {
        "returned": "pair",
        "model": _type_name(model),
        "params": _state(model),
        "losses": [_number(v) for v in losses]
        if isinstance(losses, (list, tuple))
        else _type_name(losses),
    }
