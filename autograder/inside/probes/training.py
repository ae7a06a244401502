"""Probes for 06_training: they build torch objects next to the student code, call the
student's functions on them and return RAW values (parameters after training, returned
losses, logits, what a loader yields) as plain data. They decide nothing: every verdict is
the hidden suite's, which runs the same probes next to the reference solution (in a worker of
its own, never in the grading process) and compares.

Student code can replace anything in its process, these probes included, so nothing here
is an answer: no contract function is implemented here, and the test model is not the
SimpleMLP of the assignment. The model's quirks make properties that live only inside the
process show in the values: ``ModeMask`` computes differently in training and eval mode
(deterministically, so an extra forward pass for logging changes nothing), and
``GraphShift`` computes differently while an autograd graph is being built.

For the suite's runs of the reference and of known-wrong loops the optimizer is
``PlainSGD``: torch.optim.SGD's arithmetic written out (the student's loop gets a real
``torch.optim.SGD``, and both must give the same parameters).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from .common import contract_function

TYPE_CHECKING = False  # typing's flag, without importing typing at run time (mypy knows it)
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from typing import Any

    import numpy.typing as npt

    from .common import Namespace

    Weights = dict[str, np.ndarray]  # parameters (or gradients) by name

# ---- helpers ------------------------------------------------------------------------------


def _type_name(value: object) -> str:
    kind = type(value)
    return f"{kind.__module__}.{kind.__qualname__}".replace("builtins.", "")


def _number(value: object) -> float | np.integer | np.floating | dict[str, str]:
    """A returned number as plain data; anything else as {"type": ..., "text": ...}."""
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return value
    text = ""
    if isinstance(value, torch.Tensor):
        text = f"shape {tuple(value.shape)}, requires_grad={value.requires_grad}"
    return {"type": _type_name(value), "text": text}


def _pair(value: object) -> dict[str, Any]:
    if isinstance(value, (tuple, list)):
        return {"kind": type(value).__name__, "items": [_number(v) for v in value]}
    return {"kind": _type_name(value), "items": None}


def _array(tensor: torch.Tensor) -> np.ndarray:
    return tensor.detach().cpu().numpy()


def _tensor(array: npt.ArrayLike, device: str | torch.device = "cpu") -> torch.Tensor:
    return torch.as_tensor(np.asarray(array)).to(device)


def _params(model: nn.Module) -> dict[str, np.ndarray]:
    return {name: _array(p) for name, p in model.named_parameters()}


def _loader(X: np.ndarray, y: np.ndarray, batch_size: int) -> DataLoader[tuple[torch.Tensor, ...]]:
    return DataLoader(TensorDataset(_tensor(X), _tensor(y)), batch_size=batch_size, shuffle=False)


class ModeMask(nn.Module):
    """x * mask in training mode, x in eval mode: a dropout with a fixed pattern."""

    mask: torch.Tensor  # a buffer

    def __init__(self, mask: npt.ArrayLike) -> None:
        super().__init__()
        self.register_buffer("mask", torch.as_tensor(np.asarray(mask, dtype=np.float32)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.mask if self.training else x


class GraphShift(nn.Module):
    """x + shift while autograd records a graph through x, else x."""

    def __init__(self, shift: float) -> None:
        super().__init__()
        self.shift = float(shift)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.shift if x.requires_grad else x


class ProbeNet(nn.Module):
    """The suite's model for the loop functions: first (Linear), tanh, an optional ModeMask
    and GraphShift, last (Linear). Parameters: first.weight, first.bias, last.weight,
    last.bias."""

    def __init__(
        self, weights: Weights, mask: npt.ArrayLike | None = None, shift: float | None = None
    ) -> None:
        super().__init__()
        self.first, self.last = nn.Module(), nn.Module()
        for name, value in weights.items():
            layer, kind = name.split(".")
            getattr(self, layer).register_parameter(kind, nn.Parameter(_tensor(value)))
        self.mask = ModeMask(mask) if mask is not None else nn.Identity()
        self.shift = GraphShift(shift) if shift is not None else nn.Identity()

    @staticmethod
    def _affine(layer: Any, x: torch.Tensor) -> torch.Tensor:  # an nn.Module: weight, bias
        return x @ layer.weight.T + layer.bias

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        hidden = self.mask(torch.tanh(self._affine(self.first, x)))
        return self._affine(self.last, self.shift(hidden))


class PlainSGD:
    """torch.optim.SGD without momentum, written out (p <- p - lr * p.grad)."""

    def __init__(self, params: Iterable[torch.Tensor], lr: float) -> None:
        self.params, self.lr = list(params), lr

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        for p in self.params:
            if p.grad is not None:
                p.add_(p.grad, alpha=-self.lr)


def _sgd(kind: str, params: Iterable[torch.Tensor], lr: float) -> torch.optim.SGD | PlainSGD:
    return torch.optim.SGD(params, lr=lr) if kind == "torch" else PlainSGD(params, lr)


# ---- probes -------------------------------------------------------------------------------


def cuda_available(ns: Namespace) -> bool:
    """Whether torch sees a usable CUDA device where the student code runs."""
    return bool(torch.cuda.is_available())


def _device_facts(device: object) -> dict[str, str | None]:
    facts: dict[str, str | None] = {
        "class": _type_name(device),
        "text": str(device)[:60],
        "type": None,
    }
    if isinstance(device, torch.device):
        facts["type"] = device.type
    return facts


def device_choice(ns: Namespace, flags: list[bool]) -> dict[str, Any]:
    """get_device() as it is here, then once per entry of ``flags`` with
    torch.cuda.is_available() (and device_count) simulated to say that."""
    get_device = contract_function(ns, "get_device")
    out: dict[str, Any] = {
        "cuda": bool(torch.cuda.is_available()),
        "real": _device_facts(get_device()),
        "simulated": [],
    }
    originals = {"is_available": torch.cuda.is_available, "device_count": torch.cuda.device_count}
    aliases = [(k, v) for k, v in ns.items() if any(v is o for o in originals.values())]
    try:
        for flag in flags:
            fakes = {"is_available": lambda f=flag: f, "device_count": lambda f=flag: int(f)}
            for attr, fake in fakes.items():
                setattr(torch.cuda, attr, fake)
            for key, value in aliases:
                ns[key] = fakes[
                    "is_available" if value is originals["is_available"] else "device_count"
                ]
            out["simulated"].append(_device_facts(get_device()))
    finally:
        for attr, original in originals.items():
            setattr(torch.cuda, attr, original)
        for key, value in aliases:
            ns[key] = value
    return out


def mlp_initial(
    ns: Namespace, input_size: int, hidden_size: int, num_classes: int, seed: int
) -> dict[str, Any]:
    """SimpleMLP(input_size, hidden_size, num_classes) built right after
    torch.manual_seed(seed) (the caller's random state is restored afterwards): whether it is
    an nn.Module, and its parameters as {name: array}."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = contract_function(ns, "SimpleMLP")(input_size, hidden_size, num_classes)
    if not isinstance(model, nn.Module):
        return {"is_module": False, "class": _type_name(model), "params": {}}
    return {"is_module": True, "class": _type_name(model), "params": _params(model)}


def mlp_logits(ns: Namespace, device: str, weights: Weights, x: np.ndarray) -> dict[str, Any]:
    """SimpleMLP with the given weights (loaded by load_state_dict) applied to x on device."""
    hidden, inputs = np.shape(weights["fc1.weight"])
    classes = np.shape(weights["fc2.weight"])[0]
    model = contract_function(ns, "SimpleMLP")(inputs, hidden, classes)
    model.load_state_dict({k: _tensor(v) for k, v in weights.items()})
    model.to(device)
    out = model(_tensor(x, device))
    if not isinstance(out, torch.Tensor):
        return {"type": _type_name(out), "logits": None, "device": None}
    return {"type": "torch.Tensor", "logits": _array(out), "device": out.device.type}


def criterion_outputs(
    ns: Namespace, device: str, cases: dict[str, Sequence[np.ndarray]]
) -> dict[str, dict[str, Any]]:
    """{task: {"class", "loss", "grad"}}: make_criterion(task)(prediction, target) on device,
    and the gradient of that loss with respect to the prediction. An error raised while
    computing the loss is reported as {"class", "error"}."""
    out: dict[str, dict[str, Any]] = {}
    for task, (prediction, target) in cases.items():
        criterion = contract_function(ns, "make_criterion")(task)
        entry: dict[str, Any] = {"class": _type_name(criterion)}
        try:
            pred = _tensor(prediction, device).requires_grad_(True)
            loss = criterion(pred, _tensor(target, device))
            entry["loss"] = (
                float(loss.item())
                if isinstance(loss, torch.Tensor) and loss.numel() == 1
                else _number(loss)
            )
            entry["grad"] = None
            if isinstance(loss, torch.Tensor) and loss.numel() == 1 and loss.requires_grad:
                loss.backward()
                entry["grad"] = None if pred.grad is None else _array(pred.grad)
        except Exception as exc:  # e.g. BCELoss on logits outside [0, 1]
            entry["error"] = f"{type(exc).__name__}: {str(exc)[:200]}"
        out[task] = entry
    return out


class _Bag(nn.Module):
    """The given parameters ({name: array}), the last of them in a child module."""

    def __init__(self, weights: Weights, device: str) -> None:
        super().__init__()
        *first, last = weights
        for name in first:
            self.register_parameter(name, nn.Parameter(_tensor(weights[name], device)))
        self.child = nn.Module()
        self.child.register_parameter(last, nn.Parameter(_tensor(weights[last], device)))

    def by_name(self) -> dict[str, nn.Parameter]:
        return {name.split(".")[-1]: p for name, p in self.named_parameters()}


def optimizer_trajectory(
    ns: Namespace, device: str, name: str, lr: float, weights: Weights, grads: list[Weights]
) -> dict[str, Any]:
    """The parameters ({name: array}) after one make_optimizer(model, name, lr).step() per
    entry of grads ({name: gradient}), the gradients set by hand; and the optimizer's class
    and numeric settings, for messages."""
    model = _Bag(weights, device)
    optimizer = contract_function(ns, "make_optimizer")(model, name, lr)
    params = model.by_name()
    for grad in grads:
        for pname, p in params.items():
            p.grad = _tensor(grad[pname], device)
        optimizer.step()
    groups = getattr(optimizer, "param_groups", None)
    settings = []
    for group in groups if isinstance(groups, list) else []:
        if isinstance(group, dict):
            settings.append(
                {
                    k: float(v)
                    for k, v in group.items()
                    if k in ("lr", "momentum") and isinstance(v, (int, float))
                }
            )
    return {
        "class": _type_name(optimizer),
        "groups": settings,
        "params": {pname: _array(p) for pname, p in params.items()},
    }


def _epoch_batches(loader: Iterable[Any]) -> list[list[np.ndarray]]:
    batches: list[list[np.ndarray]] = []
    for xb, yb in loader:
        batches.append([_array(torch.as_tensor(xb)), _array(torch.as_tensor(yb))])
    return batches


def loader_contents(
    ns: Namespace, X: np.ndarray, y: np.ndarray, batch_size: int, val_fraction: float, seed: int
) -> dict[str, Any]:
    """What make_loaders(...) yields: two epochs of each loader, each epoch a list of
    [inputs, targets] batches as arrays."""
    make_loaders = contract_function(ns, "make_loaders")
    loaders = make_loaders(X, y, batch_size=batch_size, val_fraction=val_fraction, seed=seed)
    if not (isinstance(loaders, (tuple, list)) and len(loaders) == 2):
        return {"returned": _type_name(loaders)}
    train, val = loaders
    return {
        "returned": "pair",
        "classes": [_type_name(train), _type_name(val)],
        "train": [_epoch_batches(train), _epoch_batches(train)],
        "val": [_epoch_batches(val), _epoch_batches(val)],
    }


def epoch_case(
    ns: Namespace,
    device: str,
    weights: Weights,
    X: np.ndarray,
    y: np.ndarray,
    batch_size: int,
    lr: float,
    mask: npt.ArrayLike | None = None,
    start_mode: str = "train",
    optimizer_kind: str = "torch",
) -> dict[str, Any]:
    """ns["train_one_epoch"] on ProbeNet(weights, mask), left in ``start_mode``, over a
    non-shuffled loader with SGD(lr) and cross-entropy: the returned loss and the
    parameters afterwards."""
    model = ProbeNet(weights, mask).to(device)
    model.train(start_mode == "train")
    optimizer = _sgd(optimizer_kind, model.parameters(), lr)
    loss = contract_function(ns, "train_one_epoch")(
        model, _loader(X, y, batch_size), nn.CrossEntropyLoss(), optimizer, torch.device(device)
    )
    return {"loss": _number(loss), "params": _params(model)}


def eval_case(
    ns: Namespace,
    device: str,
    weights: Weights,
    X: np.ndarray,
    y: np.ndarray,
    batch_size: int,
    mask: npt.ArrayLike | None = None,
    shift: float | None = None,
    start_mode: str = "eval",
) -> dict[str, Any]:
    """ns["evaluate"] on ProbeNet(weights, mask, shift), left in ``start_mode``, over a
    non-shuffled loader with cross-entropy: what it returned, the parameters afterwards
    and the names of the parameters that hold a gradient."""
    model = ProbeNet(weights, mask, shift).to(device)
    model.train(start_mode == "train")
    result = contract_function(ns, "evaluate")(
        model, _loader(X, y, batch_size), nn.CrossEntropyLoss(), torch.device(device)
    )
    return {
        "result": _pair(result),
        "params": _params(model),
        "grads": [name for name, p in model.named_parameters() if p.grad is not None],
    }


# fit with stand-ins for train_one_epoch and evaluate. A stand-in's loss is 1000 * the
# number of stand-in calls before it (both kinds) + the tag of the loader it was given (its
# first input) + 100 for every one of model, criterion, optimizer and device that is not
# fit's own; evaluate's stand-in gives a tenth of the tag as its accuracy.


def _spy_value(calls: list[float], loader: object, others: list[bool]) -> tuple[float, float]:
    dataset = getattr(loader, "dataset", None)
    tensors = getattr(dataset, "tensors", None)
    if not (isinstance(tensors, tuple) and tensors and isinstance(tensors[0], torch.Tensor)):
        raise TypeError(f"fit passed {_type_name(loader)} where a DataLoader was expected")
    tag = float(tensors[0].reshape(-1)[0].item())
    value = 1000.0 * len(calls) + tag + 100.0 * sum(not same for same in others)
    calls.append(value)
    return value, tag


def fit_spies(
    ns: Namespace, device: str, epochs: int, train_tag: float, val_tag: float
) -> dict[str, Any] | str:
    """fit(model, train_loader, val_loader, criterion, optimizer, device, epochs) with
    train_one_epoch and evaluate replaced by the stand-ins above; what fit returned."""
    fit = contract_function(ns, "fit")
    own_model = nn.Linear(2, 2).to(device)
    loaders: list[DataLoader[tuple[torch.Tensor, ...]]] = []
    for tag, size in ((train_tag, 4), (val_tag, 3)):
        X = torch.full((size, 2), float(tag))
        loaders.append(
            DataLoader(TensorDataset(X, torch.zeros(size, dtype=torch.int64)), batch_size=2)
        )
    own_criterion, own_optimizer = nn.CrossEntropyLoss(), PlainSGD(own_model.parameters(), 0.1)
    own_device = torch.device(device)
    calls: list[float] = []

    def spy_train(
        model: object, loader: object, criterion: object, optimizer: object, device: object
    ) -> float:
        others = [
            model is own_model,
            criterion is own_criterion,
            optimizer is own_optimizer,
            str(device) == str(own_device),
        ]
        return _spy_value(calls, loader, others)[0]

    def spy_eval(
        model: object, loader: object, criterion: object, device: object
    ) -> tuple[float, float]:
        others = [model is own_model, criterion is own_criterion, str(device) == str(own_device)]
        value, tag = _spy_value(calls, loader, others)
        return value, tag / 10

    saved = {name: ns.get(name) for name in ("train_one_epoch", "evaluate")}
    ns["train_one_epoch"], ns["evaluate"] = spy_train, spy_eval
    try:
        history = fit(
            own_model, loaders[0], loaders[1], own_criterion, own_optimizer, own_device, epochs
        )
    finally:
        for name, value in saved.items():
            if value is None:
                ns.pop(name, None)
            else:
                ns[name] = value
    return _history(history)


def _history(history: object) -> dict[str, Any] | str:
    if not isinstance(history, dict):
        return _type_name(history)
    return {
        str(k): [_number(v) for v in h] if isinstance(h, (list, tuple)) else _type_name(h)
        for k, h in history.items()
    }


def fit_moons(
    ns: Namespace,
    device: str,
    X: np.ndarray,
    y: np.ndarray,
    hidden: int,
    lr: float,
    epochs: int,
    init_seed: int,
) -> dict[str, Any]:
    """Everything together: SimpleMLP(2, hidden, 2) (built after torch.manual_seed(init_seed))
    trained with fit, make_criterion("multiclass"), make_optimizer(model, "adam", lr) and
    make_loaders(X, y, batch_size=32, val_fraction=0.2, seed=0). Returns fit's history, the
    trained parameters and the validation loader's contents."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(init_seed)
        model = contract_function(ns, "SimpleMLP")(2, hidden, 2).to(device)
        criterion = contract_function(ns, "make_criterion")("multiclass")
        optimizer = contract_function(ns, "make_optimizer")(model, "adam", lr)
        train_loader, val_loader = contract_function(ns, "make_loaders")(
            X, y, batch_size=32, val_fraction=0.2, seed=0
        )
        history = contract_function(ns, "fit")(
            model, train_loader, val_loader, criterion, optimizer, torch.device(device), epochs
        )
    params = _params(model) if isinstance(model, nn.Module) else {}
    return {"history": _history(history), "params": params, "val": _epoch_batches(val_loader)}
