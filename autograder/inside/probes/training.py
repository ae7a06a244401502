"""Probes for 06_training: they build torch objects next to the student code, call the
student's functions on them and report plain data (numbers, strings, lists, dicts, numpy
arrays) back to the hidden suite.

The suite also calls some of these probes in its own process with the reference solution's
namespace (``vars(ref)``), so that the reference runs on exactly the same inputs. There they
are given ``optimizer_kind="plain"``: a hand-written SGD with torch.optim.SGD's arithmetic,
because building the first torch optimizer in a process imports torch._dynamo (~1.5 s).
"""

import inspect
import time

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from .common import contract_function


# ---- helpers ------------------------------------------------------------------------------

def _type_name(value):
    kind = type(value)
    return f"{kind.__module__}.{kind.__qualname__}".replace("builtins.", "")


def _number(value):
    """A returned number as plain data; anything else as {"type": ..., "text": ...}."""
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return value
    text = ""
    if isinstance(value, torch.Tensor):
        text = f"shape {tuple(value.shape)}, requires_grad={value.requires_grad}"
    return {"type": _type_name(value), "text": text}


def _pair(value):
    if isinstance(value, (tuple, list)):
        return {"kind": type(value).__name__, "items": [_number(v) for v in value]}
    return {"kind": _type_name(value), "items": None}


def _array(tensor):
    return tensor.detach().cpu().numpy()


def _tensor(array, device="cpu"):
    return torch.as_tensor(np.asarray(array)).to(device)


class TinyNet(nn.Module):
    """The suite's own model for testing the loop functions: fc1, ReLU, dropout, fc2."""

    def __init__(self, input_size, hidden_size, num_classes, dropout=0.0):
        super().__init__()
        self.fc1 = nn.Linear(input_size, hidden_size)
        self.relu = nn.ReLU()
        self.drop = nn.Dropout(dropout)
        self.fc2 = nn.Linear(hidden_size, num_classes)

    def forward(self, x):
        return self.fc2(self.drop(self.relu(self.fc1(x))))


def tiny_net(weights, dropout=0.0, device="cpu"):
    hidden, inputs = np.shape(weights["fc1.weight"])
    classes = np.shape(weights["fc2.weight"])[0]
    model = TinyNet(inputs, hidden, classes, dropout)
    model.load_state_dict({k: _tensor(v) for k, v in weights.items()})
    return model.to(device)


class PlainSGD:
    """torch.optim.SGD without momentum, written out (p <- p - lr * p.grad)."""

    def __init__(self, params, lr):
        self.params, self.lr = list(params), lr

    def zero_grad(self, set_to_none=True):
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self):
        for p in self.params:
            if p.grad is not None:
                p.add_(p.grad, alpha=-self.lr)


def _sgd(kind, params, lr):
    return torch.optim.SGD(params, lr=lr) if kind == "torch" else PlainSGD(params, lr)


def _params(model):
    return {name: _array(p) for name, p in model.named_parameters()}


def _loader(X, y, batch_size):
    return DataLoader(TensorDataset(_tensor(X), _tensor(y)), batch_size=batch_size, shuffle=False)


def moons(n, noise, seed):
    """The two-moons data of the lesson (the suite's own copy)."""
    g = np.random.default_rng(seed)
    n_upper = n // 2
    n_lower = n - n_upper
    a_upper, a_lower = g.uniform(0.0, np.pi, n_upper), g.uniform(0.0, np.pi, n_lower)
    upper = np.column_stack([np.cos(a_upper), np.sin(a_upper)])
    lower = np.column_stack([1.0 - np.cos(a_lower), 0.5 - np.sin(a_lower)])
    X = np.concatenate([upper, lower]) + g.normal(0.0, noise, size=(n, 2)) - [0.5, 0.25]
    y = np.concatenate([np.zeros(n_upper, dtype=np.int64), np.ones(n_lower, dtype=np.int64)])
    order = g.permutation(n)
    return X[order].astype(np.float32), y[order]


# ---- probes -------------------------------------------------------------------------------

def cuda_available(ns):
    """Whether torch sees a usable CUDA device where the student code runs."""
    return bool(torch.cuda.is_available())


def _device_facts(device):
    facts = {"class": _type_name(device), "text": str(device)[:60], "type": None}
    if isinstance(device, torch.device):
        facts["type"] = device.type
    return facts


def device_choice(ns):
    """get_device() as it is here, and with CUDA simulated as available / unavailable."""
    get_device = contract_function(ns, "get_device")
    out = {"cuda": bool(torch.cuda.is_available()), "real": _device_facts(get_device()),
           "simulated": {}}
    originals = {"is_available": torch.cuda.is_available, "device_count": torch.cuda.device_count}
    aliases = [(k, v) for k, v in ns.items() if any(v is o for o in originals.values())]
    try:
        for flag in (True, False):
            fakes = {"is_available": lambda f=flag: f, "device_count": lambda f=flag: int(f)}
            for attr, fake in fakes.items():
                setattr(torch.cuda, attr, fake)
            for key, value in aliases:
                ns[key] = fakes["is_available" if value is originals["is_available"]
                                else "device_count"]
            out["simulated"][str(flag)] = _device_facts(get_device())
    finally:
        for attr, original in originals.items():
            setattr(torch.cuda, attr, original)
        for key, value in aliases:
            ns[key] = value
    return out


def mlp_structure(ns, input_size, hidden_size, num_classes):
    """Type and (name, shape) of every parameter of
    SimpleMLP(input_size, hidden_size, num_classes)."""
    model = contract_function(ns, "SimpleMLP")(input_size, hidden_size, num_classes)
    params = []
    if isinstance(model, nn.Module):
        params = [[name, list(p.shape)] for name, p in model.named_parameters()]
    return {"is_module": isinstance(model, nn.Module), "class": _type_name(model),
            "params": params}


def mlp_logits(ns, device, weights, x):
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


def criterion_kinds(ns, tasks):
    """{task: {"class": ..., "reduction": ...}} for make_criterion(task)."""
    out = {}
    for task in tasks:
        criterion = contract_function(ns, "make_criterion")(task)
        reduction = getattr(criterion, "reduction", None)
        out[task] = {"class": _type_name(criterion),
                     "reduction": reduction if isinstance(reduction, str) else None}
    return out


def criterion_values(ns, device, cases):
    """{task: loss value} of make_criterion(task)(prediction, target) on device; an error
    raised while computing the loss is reported as {"error": ...}."""
    out = {}
    for task, (prediction, target) in cases.items():
        criterion = contract_function(ns, "make_criterion")(task)
        try:
            loss = criterion(_tensor(prediction, device), _tensor(target, device))
            out[task] = float(loss.item()) if isinstance(loss, torch.Tensor) else _number(loss)
        except Exception as exc:  # e.g. BCELoss on logits outside [0, 1]
            out[task] = {"error": f"{type(exc).__name__}: {str(exc)[:200]}"}
    return out


def _setting(value):
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    if isinstance(value, (tuple, list)) and all(isinstance(v, (int, float)) for v in value):
        return [float(v) for v in value]
    return str(value)[:60]


def optimizer_setup(ns, name, lr):
    """Class, hyperparameters and parameter coverage of make_optimizer(model, name, lr)."""
    model = TinyNet(3, 4, 2)
    optimizer = contract_function(ns, "make_optimizer")(model, name, lr)
    if not isinstance(optimizer, torch.optim.Optimizer):
        return {"class": _type_name(optimizer), "groups": [], "covered": 0, "total": 4,
                "foreign": 0}
    own = {id(p) for p in model.parameters()}
    held = [p for g in optimizer.param_groups for p in g["params"]]
    return {
        "class": _type_name(optimizer),
        "groups": [{k: _setting(v) for k, v in g.items() if k != "params"}
                   for g in optimizer.param_groups],
        "covered": len({id(p) for p in held} & own),
        "total": len(own),
        "foreign": len([p for p in held if id(p) not in own]),
    }


def optimizer_trajectory(ns, device, name, lr, weights, grads):
    """Parameters of TinyNet(weights) after one make_optimizer(...).step() per entry of
    grads ({parameter name: gradient}), the gradients set by hand."""
    model = tiny_net(weights, device=device)
    optimizer = contract_function(ns, "make_optimizer")(model, name, lr)
    for grad in grads:
        for pname, p in model.named_parameters():
            p.grad = _tensor(grad[pname], device)
        optimizer.step()
    return _params(model)


def _epoch_rows(loader):
    rows, labels, sizes = [], [], []
    for batch in loader:
        xb, yb = batch
        rows += [int(round(v)) for v in torch.as_tensor(xb)[:, 0].tolist()]
        labels += [int(round(v)) for v in torch.as_tensor(yb).reshape(-1).tolist()]
        sizes.append(len(xb))
    return {"rows": rows, "labels": labels, "sizes": sizes}


def loader_contents(ns, X, y, batch_size, val_fraction, seed):
    """What make_loaders(...) yields: two epochs of each loader, as the row numbers stored in
    X[:, 0], the labels and the batch sizes."""
    make_loaders = contract_function(ns, "make_loaders")
    loaders = make_loaders(X, y, batch_size=batch_size, val_fraction=val_fraction, seed=seed)
    if not (isinstance(loaders, (tuple, list)) and len(loaders) == 2):
        return {"returned": _type_name(loaders)}
    train, val = loaders
    return {
        "returned": "pair",
        "classes": [_type_name(train), _type_name(val)],
        "train": [_epoch_rows(train), _epoch_rows(train)],
        "val": [_epoch_rows(val), _epoch_rows(val)],
    }


def _variant_epoch(variant, model, loader, criterion, optimizer, device):
    """Known wrong versions of train_one_epoch, to name a mistake from its result."""
    model.train()
    losses, sizes = [], []
    for xb, yb in loader:
        xb, yb = xb.to(device), yb.to(device)
        if variant != "no_zero_grad":
            optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        if variant == "step_first":
            optimizer.step()
            loss.backward()
        else:
            loss.backward()
            optimizer.step()
        losses.append(loss.item())
        sizes.append(len(xb))
    if variant == "unweighted":
        return sum(losses) / len(losses)
    if variant == "sum":
        return float(sum(losses))
    if variant == "last":
        return losses[-1]
    return sum(l * s for l, s in zip(losses, sizes)) / sum(sizes)


def epoch_case(ns, device, weights, X, y, batch_size, lr, dropout=0.0, start_mode="train",
               optimizer_kind="torch", variant=""):
    """train_one_epoch on TinyNet(weights) over a non-shuffled loader with SGD(lr) and
    cross-entropy. Reports the returned loss, the parameters afterwards, the mode the dropout
    layer saw on each forward pass, the devices of the inputs and the number of steps."""
    torch.manual_seed(0)
    model = tiny_net(weights, dropout, device)
    model.train(start_mode == "train")
    modes, devices = [], []
    model.drop.register_forward_hook(lambda m, i, o: modes.append(bool(m.training)))
    model.fc1.register_forward_pre_hook(lambda m, i: devices.append(i[0].device.type))
    optimizer = _sgd(optimizer_kind, model.parameters(), lr)
    steps = []
    original_step = optimizer.step

    def counted_step(*args, **kwargs):
        steps.append(1)
        return original_step(*args, **kwargs)

    optimizer.step = counted_step
    if variant:
        def train_one_epoch(*args):
            return _variant_epoch(variant, *args)
    else:
        train_one_epoch = contract_function(ns, "train_one_epoch")
    loss = train_one_epoch(model, _loader(X, y, batch_size), nn.CrossEntropyLoss(), optimizer,
                           torch.device(device))
    return {"loss": _number(loss), "params": _params(model), "modes": modes,
            "training_after": bool(model.training), "devices": sorted(set(devices)),
            "steps": len(steps)}


def _variant_eval(variant, model, loader, criterion, device):
    model.eval()
    losses, sizes, correct = [], [], 0
    with torch.no_grad():
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            logits = model(xb)
            losses.append(criterion(logits, yb).item())
            sizes.append(len(yb))
            correct += int((logits.argmax(dim=1) == yb).sum().item())
    if variant == "unweighted":
        return sum(losses) / len(losses), correct / sum(sizes)
    return sum(l * s for l, s in zip(losses, sizes)) / sum(sizes), correct / sum(sizes)


def eval_case(ns, device, weights, X, y, batch_size, dropout=0.0, start_mode="eval",
              variant=""):
    """evaluate on TinyNet(weights) over a non-shuffled loader with cross-entropy. Reports the
    result, the dropout layer's mode, whether autograd was recording during each forward pass,
    and whether any parameter received a gradient or changed."""
    torch.manual_seed(0)
    model = tiny_net(weights, dropout, device)
    model.train(start_mode == "train")
    modes, recording = [], []
    model.drop.register_forward_hook(lambda m, i, o: modes.append(bool(m.training)))
    model.register_forward_hook(
        lambda m, i, o: recording.append(bool(torch.is_grad_enabled() or o.requires_grad)))
    before = _params(model)
    if variant:
        def evaluate(*args):
            return _variant_eval(variant, *args)
    else:
        evaluate = contract_function(ns, "evaluate")
    result = evaluate(model, _loader(X, y, batch_size), nn.CrossEntropyLoss(),
                      torch.device(device))
    after = _params(model)
    return {"result": _pair(result), "modes": modes, "recording": recording,
            "training_after": bool(model.training),
            "grads": [name for name, p in model.named_parameters() if p.grad is not None],
            "changed": [name for name in before if not np.array_equal(before[name], after[name])]}


def _signature(*names):
    return inspect.Signature([inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD)
                              for n in names])


_TRAIN_SIGNATURE = _signature("model", "loader", "criterion", "optimizer", "device")
_EVAL_SIGNATURE = _signature("model", "loader", "criterion", "device")


def fit_spies(ns, device, epochs):
    """fit with train_one_epoch and evaluate replaced by spies that record how they were
    called and return known values. Reports fit's result and the calls."""
    fit = contract_function(ns, "fit")
    model = TinyNet(2, 3, 2).to(device)
    data = TensorDataset(torch.zeros(4, 2), torch.zeros(4, dtype=torch.int64))
    train_loader, val_loader = DataLoader(data, batch_size=2), DataLoader(data, batch_size=3)
    criterion, optimizer = nn.CrossEntropyLoss(), PlainSGD(model.parameters(), 0.1)
    calls = []

    def record(function, signature, args, kwargs):
        try:
            bound = signature.bind(*args, **kwargs).arguments
        except TypeError as exc:
            raise TypeError(f"fit called {function} with arguments that do not match "
                            f"{function}{signature}: {exc}") from None
        loader = bound["loader"]
        calls.append({
            "function": function,
            "loader": "train" if loader is train_loader else "val" if loader is val_loader
            else _type_name(loader),
            "same_objects": bool(bound["model"] is model and bound["criterion"] is criterion
                                 and bound.get("optimizer", optimizer) is optimizer),
            "device": str(bound["device"]),
        })
        return sum(c["function"] == function for c in calls)

    def spy_train(*args, **kwargs):
        k = record("train_one_epoch", _TRAIN_SIGNATURE, args, kwargs)
        return 1.0 + k / 4

    def spy_eval(*args, **kwargs):
        k = record("evaluate", _EVAL_SIGNATURE, args, kwargs)
        return 2.0 + k / 8, k / 16

    saved = {name: ns.get(name) for name in ("train_one_epoch", "evaluate")}
    ns["train_one_epoch"], ns["evaluate"] = spy_train, spy_eval
    try:
        history = fit(model, train_loader, val_loader, criterion, optimizer, torch.device(device),
                      epochs)
    finally:
        for name, value in saved.items():
            if value is None:
                ns.pop(name, None)
            else:
                ns[name] = value
    if isinstance(history, dict):
        history = {str(k): [_number(v) for v in h] if isinstance(h, (list, tuple))
                   else _type_name(h) for k, h in history.items()}
    else:
        history = _type_name(history)
    return {"history": history, "calls": calls}


def fit_moons(ns, device, n, noise, data_seed, hidden, lr, epochs):
    """Everything together: SimpleMLP trained with fit on two moons (make_loaders seed 0).
    Reports fit's history, the validation accuracy measured here and the time fit took."""
    X, y = moons(n, noise, data_seed)
    torch.manual_seed(0)
    model = contract_function(ns, "SimpleMLP")(2, hidden, 2).to(device)
    criterion = contract_function(ns, "make_criterion")("multiclass")
    optimizer = contract_function(ns, "make_optimizer")(model, "adam", lr)
    make_loaders = contract_function(ns, "make_loaders")
    train_loader, val_loader = make_loaders(X, y, batch_size=32, val_fraction=0.2, seed=0)
    start = time.perf_counter()
    history = contract_function(ns, "fit")(model, train_loader, val_loader, criterion, optimizer,
                              torch.device(device), epochs)
    seconds = time.perf_counter() - start
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for xb, yb in val_loader:
            xb, yb = xb.to(device), yb.to(device)
            correct += int((model(xb).argmax(dim=1) == yb).sum().item())
            total += len(yb)
    lengths = ({str(k): len(v) if isinstance(v, (list, tuple)) else -1 for k, v in history.items()}
               if isinstance(history, dict) else _type_name(history))
    return {"lengths": lengths, "accuracy": correct / max(total, 1), "validation_size": total,
            "seconds": seconds}
