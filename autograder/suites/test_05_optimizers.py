"""Hidden suite for 05_optimizers (see docs/EXERCISES.md and autograder/grade/suite.py).

Optimizer objects and gradient functions cannot cross the process boundary, so the probes
in ``autograder/inside/probes/optimizers.py`` drive the student's ``SGD``, ``Adam`` and
``gradient_descent`` next to the student code and report the parameter values after every
step, read from the caller's own arrays. The reference solution runs through the same
probes in a worker of its own (``reference``); this process writes the runs' environment out
again for its own simulations (``step_gradients``).

Every trajectory is also compared with torch in float64 as an independent oracle: the
arithmetic of ``torch.optim.SGD`` and ``torch.optim.Adam`` (their single-tensor update
functions, which is what ``step()`` runs for CPU tensors; building a ``torch.optim``
optimizer object would first import ``torch._dynamo``, seconds of grading time, so the
objects are used only if those functions are not there), with gradients from autograd
where the suite's test losses need them. torch is imported lazily, in this trusted
process only; the submission itself may not use it (``check_no_banned_imports``). Where
torch is not installed only the torch comparisons are left out, so the points never change.

A failure names a known misconception when the submission's numbers match what that
mistake would produce (``simulate`` writes those mistakes out).
"""

import numpy as np

from autograder.grade.suite import (
    check_array,
    check_no_banned_imports,
    check_unmodified,
    fail,
    points,
    property_test,
    rng,
)

# ---- misconceptions, by the words a failure uses ----------------------------------------------

UPHILL = "param + lr * grad instead of param - lr * grad (that walks uphill)"
NO_LR = "the learning rate was left out (param - grad)"
GD_LENGTH = "gradient_descent's result is missing x0 or has the wrong length"
GD_SHORT = GD_LENGTH + " (one iterate short: range(steps) should append steps new points)"
NO_BIAS = "Adam without bias correction"
T_OFF = "Adam step count off by one (t must start at 1)"
EPS_SQRT = "eps inside the square root"
EPS_HAT = (
    "eps scaled by the bias correction (the paper's 'efficient' form); torch adds eps "
    "to sqrt(v_hat)"
)
ADAM_V_ABS = "v averaging grad (or |grad|) instead of grad * grad"
DAMPENING = "momentum with dampening (1 - momentum) * grad"
ZERO_BUF = "buffer initialised to zero instead of the first gradient"
STALE = "momentum buffer applied before it is updated with this step's gradient"
NO_MOMENTUM = "momentum ignored: these are plain SGD steps"
FIRST_STEP_STILL = (
    "the first step did not move: the buffer starts as a copy of the first "
    "gradient and is used in that same step (and p must change in place)"
)
REBOUND = (
    "parameters rebound instead of updated in place (p = p - ...): the caller's arrays never change"
)

SHAPES = [(3,), (2, 4), (4, 1, 2)]  # several parameter arrays, each its own shape
TOL = dict(rtol=1e-6, atol=1e-9)


# ---- test data ----------------------------------------------------------------------------


def open_run(seed, steps, kwargs, shapes=SHAPES):
    """A run with given gradients (the same whatever the parameters): every entry has its own
    scale, 10**u for u uniform in [-4, 2], so magnitudes range from 1e-4 to 1e2; a mean plus
    noise (so momentum has something to accumulate) and a few exact zeros, one entry always 0."""
    g = rng(seed)
    init = [g.normal(size=s) for s in shapes]
    scales = [10.0 ** g.uniform(-4, 2, size=s) for s in shapes]
    means = [g.normal(size=s) for s in shapes]
    grads = []
    for _ in range(steps):
        step = []
        for scale, mean in zip(scales, means):
            grad = scale * (mean + 0.7 * g.normal(size=mean.shape))
            grad[g.random(size=mean.shape) < 0.08] = 0.0
            grad.flat[0] = 0.0
            step.append(grad)
        grads.append(step)
    return {"init": init, "kwargs": kwargs, "grads": grads}


def quadratic_run(seed, steps, kwargs, log_curvature, shapes=SHAPES):
    """A run on the loss sum(0.5 * curvature * (p - target)**2): the gradients are computed
    from the current parameters, as in training; curvatures 10**u, u uniform in log_curvature."""
    g = rng(seed)
    return {
        "init": [3.0 * g.normal(size=s) for s in shapes],
        "kwargs": kwargs,
        "steps": steps,
        "quadratic": {
            "curvature": [10.0 ** g.uniform(*log_curvature, size=s) for s in shapes],
            "target": [g.normal(size=s) for s in shapes],
        },
    }


def run_steps(run):
    return len(run["grads"]) if "grads" in run else int(run["steps"])


def step_gradients(run, params, k):
    """The gradients of step k (0-based), as the probe hands them to the optimizer: the given
    ones, or those of the run's quadratic loss at the current parameters."""
    if "grads" in run:
        return [np.array(g, dtype=np.float64) for g in run["grads"][k]]
    quad = run["quadratic"]
    return [
        np.asarray(c, dtype=np.float64) * (np.array(p, dtype=np.float64) - t)
        for c, p, t in zip(quad["curvature"], params, quad["target"])
    ]


def describe_run(kind, run):
    shapes = ", ".join(str(tuple(np.shape(p))) for p in run["init"])
    steps = run_steps(run)
    source = (
        "given gradients of scales 1e-4 to 1e2"
        if "grads" in run
        else "gradients of a quadratic loss at the current parameters"
    )
    args = "".join(f", {k}={v!r}" for k, v in run.get("kwargs", {}).items())
    return f"{kind}(params{args}) over {steps} steps ({source}; params of shapes {shapes})"


# ---- the misconceptions, written out ----------------------------------------------------------


def simulate(kind, run, variant=None):
    """Per parameter, the array (steps + 1, *shape) of values that ``kind`` with the known
    mistake ``variant`` (None: no mistake) produces on ``run``."""
    kwargs = dict(run.get("kwargs", {}))
    params = [np.array(p, dtype=np.float64) for p in run["init"]]
    trajectory = [[p.copy()] for p in params]
    steps = run_steps(run)
    if kind == "SGD":
        lr, mu = kwargs["lr"], 0.0 if variant == "no_momentum" else kwargs.get("momentum", 0.0)
        buffers = [None] * len(params)
    else:
        lr, (b1, b2), eps = (
            kwargs.get("lr", 1e-3),
            kwargs.get("betas", (0.9, 0.999)),
            kwargs.get("eps", 1e-8),
        )
        m = [np.zeros_like(p) for p in params]
        v = [np.zeros_like(p) for p in params]
        t = 1 if variant == "t_plus_one" else 0
    with np.errstate(all="ignore"):
        for k in range(steps):
            grads = step_gradients(run, params, k)
            if kind == "Adam":
                t += 1
            for i, (p, g) in enumerate(zip(params, grads)):
                if variant == "rebound":
                    continue
                if kind == "SGD":
                    if mu == 0:
                        p -= lr * g
                        continue
                    if variant == "stale":
                        if buffers[i] is None:
                            buffers[i] = np.zeros_like(g)
                        p -= lr * buffers[i]
                        buffers[i] = mu * buffers[i] + g
                        continue
                    if buffers[i] is None:
                        buffers[i] = np.zeros_like(g) if variant == "zero_buffer" else g.copy()
                    else:
                        buffers[i] = mu * buffers[i] + (
                            (1 - mu) * g if variant == "dampening" else g
                        )
                    p -= lr * buffers[i]
                else:
                    m[i] = b1 * m[i] + (1 - b1) * g
                    v[i] = b2 * v[i] + (1 - b2) * (np.abs(g) if variant == "v_abs" else g * g)
                    if variant == "no_bias":
                        m_hat, v_hat = m[i], v[i]
                    else:
                        m_hat, v_hat = m[i] / (1 - b1**t), v[i] / (1 - b2**t)
                    if variant == "eps_sqrt":
                        p -= lr * m_hat / np.sqrt(v_hat + eps)
                    elif variant == "eps_hat":
                        p -= lr * m_hat / (np.sqrt(v_hat) + eps / np.sqrt(1 - b2**t))
                    else:
                        p -= lr * m_hat / (np.sqrt(v_hat) + eps)
            for row, p in zip(trajectory, params):
                row.append(p.copy())
    return [np.stack(row) for row in trajectory]


LIKELY = {
    "SGD": {
        DAMPENING: "dampening",
        ZERO_BUF: "zero_buffer",
        STALE: "stale",
        REBOUND: "rebound",
        NO_MOMENTUM: "no_momentum",
    },
    "Adam": {
        NO_BIAS: "no_bias",
        T_OFF: "t_plus_one",
        EPS_SQRT: "eps_sqrt",
        EPS_HAT: "eps_hat",
        ADAM_V_ABS: "v_abs",
        REBOUND: "rebound",
    },
}


# ---- the torch oracle ---------------------------------------------------------------------------


def _torch():
    """torch, or None where it is not installed (then only the reference is compared)."""
    try:
        import torch  # lazily: see the module docstring
    except ImportError:
        return None
    return torch


class _TorchStepper:
    """torch.optim's update for a list of float64 tensors, step(grads) like our optimizers."""

    def __init__(self, torch, kind, params, kwargs, fast=True):
        self.torch, self.kind, self.params = torch, kind, params
        self.lr = kwargs.get("lr", 1e-3)
        self.momentum = kwargs.get("momentum", 0.0)
        self.betas = tuple(kwargs.get("betas", (0.9, 0.999)))
        self.eps = kwargs.get("eps", 1e-8)
        self.fast = fast
        if fast:  # the single-tensor update functions torch.optim.SGD/Adam.step call on CPU
            from torch.optim.adam import _single_tensor_adam
            from torch.optim.sgd import _single_tensor_sgd

            self._sgd, self._adam = _single_tensor_sgd, _single_tensor_adam
            self.buffers = [None] * len(params)
            self.exp_avgs = [torch.zeros_like(p) for p in params]
            self.exp_avg_sqs = [torch.zeros_like(p) for p in params]
            self.state_steps = [torch.tensor(0.0) for _ in params]
        elif kind == "SGD":
            self.opt = torch.optim.SGD(params, lr=self.lr, momentum=self.momentum)
        else:
            self.opt = torch.optim.Adam(params, lr=self.lr, betas=self.betas, eps=self.eps)

    def step(self, grads):
        if not self.fast:
            for p, g in zip(self.params, grads):
                p.grad = g
            self.opt.step()
        elif self.kind == "SGD":
            self._sgd(
                self.params,
                list(grads),
                self.buffers,
                None,
                None,
                weight_decay=0.0,
                momentum=self.momentum,
                lr=self.lr,
                dampening=0.0,
                nesterov=False,
                maximize=False,
                has_sparse_grad=False,
            )
        else:
            self._adam(
                self.params,
                list(grads),
                self.exp_avgs,
                self.exp_avg_sqs,
                [],
                self.state_steps,
                None,
                None,
                amsgrad=False,
                has_complex=False,
                beta1=self.betas[0],
                beta2=self.betas[1],
                lr=self.lr,
                weight_decay=0.0,
                eps=self.eps,
                maximize=False,
                capturable=False,
                differentiable=False,
                decoupled_weight_decay=False,
            )


def _torch_grads(torch, run, params, k):
    """Step k's gradients: the given ones, or the quadratic loss's by autograd."""
    if "grads" in run:
        return [torch.tensor(np.array(g, dtype=np.float64)) for g in run["grads"][k]]
    quad = run["quadratic"]
    leaves = [p.detach().clone().requires_grad_(True) for p in params]
    loss = sum(
        (0.5 * torch.tensor(c) * (q - torch.tensor(t)) ** 2).sum()
        for q, c, t in zip(leaves, quad["curvature"], quad["target"])
    )
    return list(torch.autograd.grad(loss, leaves))


def torch_trajectory(kind, run, fast=True):
    """What torch.optim.<kind> does on ``run``, like ``simulate``; None without torch."""
    torch = _torch()
    if torch is None:
        return None
    try:
        params = [torch.tensor(np.array(p, dtype=np.float64)) for p in run["init"]]
        stepper = _TorchStepper(torch, kind, params, run.get("kwargs", {}), fast=fast)
        rows = [[p.numpy().copy()] for p in params]
        for k in range(run_steps(run)):
            grads = _torch_grads(torch, run, params, k)
            with torch.no_grad():
                stepper.step(grads)
            for row, p in zip(rows, params):
                row.append(p.numpy().copy())
    except (ImportError, AttributeError, TypeError):
        if fast:  # another torch version: use the optimizer objects themselves
            return torch_trajectory(kind, run, fast=False)
        raise
    return [np.stack(row) for row in rows]


# ---- checking a run -----------------------------------------------------------------------------


def _finite(kind, what, got, want):
    bad = np.isfinite(want) & ~np.isfinite(got)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        hint = (
            " In Adam a nan or inf usually comes from a division by zero in the bias "
            "correction (t must be 1 on the first step, so 1 - beta ** t is never 0) or "
            "from the square root of a negative v (v must average grad * grad)."
            if kind == "Adam"
            else " The parameters blew up: check the sign of the update."
        )
        fail(
            f"{what}: got {float(got[index])!r} at index {list(index)} (after step "
            f"{index[0]}) where the answer is {want[index]:.6g}.{hint}"
        )


def check_runs(kind, student, reference, runs, check_torch=True, first=None):
    """Drive the student's optimizer over ``runs`` (interleaved) and compare every
    trajectory with the reference's, and with torch's (``first(reports)`` runs before)."""
    got_runs = student.probe(f"optimizers.{kind}", runs)
    if first is not None:
        first(got_runs)
    want_runs = reference.probe(f"optimizers.{kind}", runs)
    for n, (run, got, want) in enumerate(zip(runs, got_runs, want_runs)):
        label = describe_run(kind, run) + (
            f", optimizer {n + 1} of {len(runs)}" if len(runs) > 1 else ""
        )
        oracle = torch_trajectory(kind, run) if check_torch else None
        likely_runs = {text: simulate(kind, run, variant) for text, variant in LIKELY[kind].items()}
        for i, (g, w) in enumerate(zip(got["trajectory"], want["trajectory"])):
            what = (
                f"{label}: the values of params[{i}] (shape {tuple(w.shape[1:])}); row k is "
                "after step k, row 0 the start"
            )
            likely = {text: cand[i] for text, cand in likely_runs.items()}
            _finite(kind, what, g, w)
            check_array(what, g, w, likely=likely, **TOL)
            if oracle is not None:
                check_array(
                    f"{what} (compared with torch.optim.{kind})", g, oracle[i], likely=likely, **TOL
                )
    return got_runs


def check_in_place(kind, report):
    """The caller's arrays moved, stayed the objects the optimizer was given, and the
    gradients came back untouched."""
    if not report["same_objects"]:
        fail(
            f"{kind}.step replaced arrays in the list it was given (self.params[i] = ...); "
            "the caller still holds the old arrays. Update each array in place (p -= ...)."
        )
    if all(np.array_equal(t, np.broadcast_to(t[0], t.shape)) for t in report["trajectory"]):
        fail(
            f"{kind}.step: the caller's parameter arrays never changed. This looks like: "
            f"{REBOUND}. Keep the arrays you were given (self.params = list(params), no "
            "copies) and write into them: p -= ... or p[...] = ..."
        )
    if not report["grads_intact"]:
        fail(
            f"{kind}.step modified the gradient arrays it was given; they belong to the "
            "caller (copy a gradient before changing it, e.g. the first momentum buffer)."
        )


# ---- sgd_update ---------------------------------------------------------------------------------


def scaled(g, shape):
    return g.normal(size=shape) * 10.0 ** g.uniform(-4, 2, size=shape)


@points(2)
def test_sgd_update_random(student, ref):
    """sgd_update: returns param - lr * grad on random arrays of several shapes"""
    g = rng(1)
    for shape, lr in [((4, 3), 0.05), ((5,), 1.5), ((2, 3, 2), 1e-3)]:
        param, grad = g.normal(size=shape), scaled(g, shape)
        check_array(
            f"sgd_update(param, grad, lr={lr}) for arrays of shape {shape}",
            student.sgd_update(param, grad, lr),
            ref.sgd_update(param, grad, lr),
            likely={UPHILL: param + lr * grad, NO_LR: param - grad},
            **TOL,
        )


def test_sgd_update_scalars_and_lists(student, ref):
    """sgd_update: accepts Python scalars, lists and integer arrays, and returns float64"""
    got = student.sgd_update(3.0, 2.0, 0.25)
    if isinstance(got, (float, np.floating)):
        got = np.asarray(got)  # a numpy or Python float is fine for scalar inputs
    check_array(
        "sgd_update(3.0, 2.0, 0.25)", got, np.asarray(2.5), likely={UPHILL: np.asarray(3.5)}
    )
    check_array(
        "sgd_update([[1.0, 2.0]], [[0.5, -0.5]], 0.1)",
        student.sgd_update([[1.0, 2.0]], [[0.5, -0.5]], 0.1),
        ref.sgd_update([[1.0, 2.0]], [[0.5, -0.5]], 0.1),
    )
    ints, grad_ints = np.array([1, 2, 3]), np.array([1, 0, -1])
    check_array(
        "sgd_update(np.array([1, 2, 3]), np.array([1, 0, -1]), 0.5)",
        student.sgd_update(ints, grad_ints, 0.5),
        ref.sgd_update(ints, grad_ints, 0.5),
    )


def test_sgd_update_edge_cases(student, ref):
    """sgd_update: lr = 0 and zero gradients change nothing; large magnitudes are fine"""
    g = rng(2)
    param = g.normal(size=(3, 2)) * 1e4
    check_array(
        "sgd_update(param, grad, lr=0.0)",
        student.sgd_update(param, g.normal(size=(3, 2)), 0.0),
        param,
    )
    check_array(
        "sgd_update(param, zeros, lr=0.1)", student.sgd_update(param, np.zeros((3, 2)), 0.1), param
    )
    grad = g.normal(size=(3, 2)) * 1e4
    check_array(
        "sgd_update(param, grad, lr=100.0) with entries around 1e4",
        student.sgd_update(param, grad, 100.0),
        ref.sgd_update(param, grad, 100.0),
        likely={UPHILL: param + 100.0 * grad},
    )


@property_test
def test_sgd_update_leaves_inputs_alone(student, ref):
    """sgd_update: does not modify param or grad"""
    g = rng(3)
    param, grad = g.normal(size=(4, 2)), g.normal(size=(4, 2))
    got, after, _ = student.sgd_update.with_inputs(param, grad, 0.1)
    check_array("sgd_update(param, grad, 0.1)", got, ref.sgd_update(param, grad, 0.1))
    check_unmodified("sgd_update(param, grad, lr)", (param, grad), after)


@property_test
def test_sgd_update_numpy_only(student, ref):
    """sgd_update: the submission uses numpy only (no torch, scipy, sklearn or jax)"""
    param, grad = np.array([1.0, -1.0]), np.array([0.5, 2.0])
    check_array(
        "sgd_update([1.0, -1.0], [0.5, 2.0], 0.1)",
        student.sgd_update(param, grad, 0.1),
        ref.sgd_update(param, grad, 0.1),
    )  # only a working function earns this point
    check_no_banned_imports(student, "sgd_update")


# ---- gradient_descent ---------------------------------------------------------------------------


def spd_matrix(seed, d, eigenvalues):
    """A symmetric matrix with the given eigenvalues: an elongated bowl in d dimensions."""
    q, _ = np.linalg.qr(rng(seed).normal(size=(d, d)))
    return q @ np.diag(eigenvalues) @ q.T


BOWL = {
    "kind": "quadratic",
    "A": spd_matrix(40, 3, [0.5, 2.0, 9.0]),
    "b": np.array([1.0, -2.0, 0.5]),
}
ROSENBROCK = {"kind": "rosenbrock", "a": 1.0, "b": 100.0}


def torch_gradient_descent(problem, x0, lr, steps, fast=True):
    """The same walk with autograd gradients and torch.optim.SGD's update; None without torch."""
    torch = _torch()
    if torch is None:
        return None
    x = torch.tensor(np.array(x0, dtype=np.float64))
    if problem["kind"] == "quadratic":
        A, b = torch.tensor(problem["A"]), torch.tensor(problem["b"])
        loss_fn = lambda q: 0.5 * q @ A @ q - b @ q  # noqa: E731
    else:
        a, c = problem["a"], problem["b"]
        loss_fn = lambda q: (a - q[0]) ** 2 + c * (q[1] - q[0] ** 2) ** 2  # noqa: E731
    rows = [x.numpy().copy()]
    try:
        stepper = _TorchStepper(torch, "SGD", [x], {"lr": lr}, fast=fast)
        for _ in range(steps):
            q = x.detach().clone().requires_grad_(True)
            (grad,) = torch.autograd.grad(loss_fn(q), [q])
            with torch.no_grad():
                stepper.step([grad])
            rows.append(x.numpy().copy())
    except (ImportError, AttributeError, TypeError):
        if fast:  # another torch version: use torch.optim.SGD itself
            return torch_gradient_descent(problem, x0, lr, steps, fast=False)
        raise
    return np.stack(rows)


def _gradient_descent(student, reference, problem, x0, kwargs, what):
    got = student.probe("optimizers.gradient_descent", problem, x0, kwargs)
    want = reference.probe("optimizers.gradient_descent", problem, x0, kwargs)["path"]
    check_array(what, got["path"], want, likely={GD_LENGTH: want[1:], GD_SHORT: want[:-1]}, **TOL)
    return got, want


@points(3)
def test_gradient_descent_bowl(student, reference):
    """gradient_descent: follows x <- x - lr * grad_fn(x) on an elongated bowl, like torch"""
    x0, lr, steps = np.array([2.0, -3.0, 1.5]), 0.15, 50
    what = (
        f"gradient_descent(grad_fn, x0, lr={lr}, steps={steps}) on the quadratic bowl "
        "0.5 x^T A x - b^T x (D = 3); row k of the path is the point after step k"
    )
    got, _ = _gradient_descent(student, reference, BOWL, x0, {"lr": lr, "steps": steps}, what)
    oracle = torch_gradient_descent(BOWL, x0, lr, steps)
    if oracle is not None:
        check_array(
            f"{what} (compared with torch.optim.SGD and autograd)",
            got["path"],
            oracle,
            likely={GD_LENGTH: oracle[1:], GD_SHORT: oracle[:-1]},
            **TOL,
        )


@points(2)
def test_gradient_descent_rosenbrock(student, reference):
    """gradient_descent: walks Rosenbrock's curved valley like the reference and torch"""
    x0, lr, steps = np.array([-1.2, 1.0]), 1e-3, 200
    what = (
        f"gradient_descent(grad_fn, x0=[-1.2, 1.0], lr={lr}, steps={steps}) on Rosenbrock's "
        "function (1 - x)^2 + 100 (y - x^2)^2; row k is the point after step k"
    )
    got, _ = _gradient_descent(student, reference, ROSENBROCK, x0, {"lr": lr, "steps": steps}, what)
    oracle = torch_gradient_descent(ROSENBROCK, x0, lr, steps)
    if oracle is not None:
        check_array(
            f"{what} (compared with torch.optim.SGD and autograd)", got["path"], oracle, **TOL
        )


def test_gradient_descent_defaults(student, reference):
    """gradient_descent: defaults lr=0.1 and steps=100 (shape (101, D)); x0 may be a list"""
    what = (
        "gradient_descent(grad_fn, [1.0, -1.0, 2.0]) with the default lr and steps, on "
        "the quadratic bowl"
    )
    _gradient_descent(student, reference, BOWL, [1.0, -1.0, 2.0], {}, what)


def test_gradient_descent_zero_steps(student, reference):
    """gradient_descent: steps=0 gives just x0, as an array of shape (1, D)"""
    x0 = np.array([0.5, 0.25, -1.0])
    _gradient_descent(
        student,
        reference,
        BOWL,
        x0,
        {"lr": 0.1, "steps": 0},
        "gradient_descent(grad_fn, x0, lr=0.1, steps=0)",
    )


@points(2)
@property_test
def test_gradient_descent_leaves_x0_alone(student, reference):
    """gradient_descent: does not modify x0"""
    x0 = np.array([1.0, 2.0, -1.0])
    got, _ = _gradient_descent(
        student,
        reference,
        BOWL,
        x0,
        {"lr": 0.1, "steps": 10},
        "gradient_descent(grad_fn, x0, lr=0.1, steps=10)",
    )
    after = got["x0_after"]
    if not (isinstance(after, np.ndarray) and np.array_equal(after, x0)):
        fail(
            "gradient_descent changed x0 in place (its values are now the last iterate's?); "
            "the caller's x0 must stay as it was: start from a copy, "
            "x = np.array(x0, dtype=float), and build each new x with x - lr * grad."
        )


def test_gradient_descent_diverges(student, reference):
    """gradient_descent: a learning rate above 2 / (largest curvature) diverges as it should"""
    x0, lr, steps = np.array([0.1, 0.2, -0.1]), 0.25, 30  # 0.25 > 2 / 9
    what = f"gradient_descent(grad_fn, x0, lr={lr}, steps={steps}) on the bowl (too large a step)"
    _gradient_descent(student, reference, BOWL, x0, {"lr": lr, "steps": steps}, what)


# ---- SGD ----------------------------------------------------------------------------------------


@points(2)
def test_sgd_plain(student, reference):
    """SGD: without momentum (the default) matches torch.optim.SGD over 60 steps"""
    check_runs("SGD", student, reference, [open_run(50, 60, {"lr": 0.01})])


@points(3)
def test_sgd_momentum(student, reference):
    """SGD: momentum 0.9 matches torch.optim.SGD over 60 steps"""
    check_runs("SGD", student, reference, [open_run(51, 60, {"lr": 0.005, "momentum": 0.9})])


@points(2)
def test_sgd_momentum_quadratic(student, reference):
    """SGD: momentum 0.5, lr 0.3 minimises a quadratic step by step like torch.optim.SGD"""
    check_runs(
        "SGD", student, reference, [quadratic_run(52, 50, {"lr": 0.3, "momentum": 0.5}, (-2, 0.7))]
    )


def test_sgd_first_momentum_step(student, ref):
    """SGD: the first step with momentum is a plain step, p - lr * grad (buffer = first grad)"""
    run = open_run(53, 1, {"lr": 0.1, "momentum": 0.9})
    got = student.probe("optimizers.SGD", [run])[0]["trajectory"]
    for i, (p0, g) in enumerate(zip(run["init"], run["grads"][0])):
        check_array(
            f"SGD(params, lr=0.1, momentum=0.9): params[{i}] after the first step",
            got[i][1],
            p0 - 0.1 * g,
            likely={FIRST_STEP_STILL: p0},
            **TOL,
        )


@points(2)
@property_test
def test_sgd_in_place(student, reference):
    """SGD: step updates the caller's arrays in place and leaves the gradients alone"""
    check_runs(
        "SGD",
        student,
        reference,
        [open_run(54, 5, {"lr": 0.05, "momentum": 0.9})],
        check_torch=False,
        first=lambda reports: check_in_place("SGD", reports[0]),
    )


def test_sgd_separate_state(student, reference):
    """SGD: two optimizers stepped in turn keep separate momentum buffers"""
    check_runs(
        "SGD",
        student,
        reference,
        [
            open_run(55, 20, {"lr": 0.01, "momentum": 0.9}),
            open_run(56, 20, {"lr": 0.02, "momentum": 0.5}, shapes=[(2,), (3, 3)]),
        ],
    )


# ---- Adam ---------------------------------------------------------------------------------------


@points(3)
def test_adam_matches_torch(student, reference):
    """Adam: lr 0.02 with default betas and eps matches torch.optim.Adam over 60 steps"""
    check_runs("Adam", student, reference, [open_run(60, 60, {"lr": 0.02})])


@points(2)
def test_adam_hyperparameters(student, reference):
    """Adam: betas=(0.8, 0.99), eps=1e-6, lr=0.05 match torch.optim.Adam over 60 steps"""
    check_runs(
        "Adam",
        student,
        reference,
        [open_run(61, 60, {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6})],
    )


@points(2)
def test_adam_first_step(student, reference):
    """Adam: the first step moves every entry by about lr, whatever its gradient's scale"""
    run = open_run(62, 1, {"lr": 0.01})
    got_runs = check_runs("Adam", student, reference, [run])
    for i, (p0, g) in enumerate(zip(run["init"], run["grads"][0])):
        moved = np.abs(got_runs[0]["trajectory"][i][1] - p0)
        # the first step is lr * g / (|g| + eps): lr wherever |g| >> eps, whatever its scale
        expected = 0.01 * np.abs(g) / (np.abs(g) + 1e-8)
        check_array(
            f"Adam(params, lr=0.01): |change| of params[{i}] in the first step "
            "(gradient entries from 1e-4 to 1e2; bias correction makes each about lr)",
            moved,
            expected,
            rtol=1e-3,
            atol=1e-12,
        )


@points(2)
@property_test
def test_adam_in_place(student, reference):
    """Adam: step updates the caller's arrays in place and leaves the gradients alone"""
    check_runs(
        "Adam",
        student,
        reference,
        [open_run(63, 5, {"lr": 0.05})],
        check_torch=False,
        first=lambda reports: check_in_place("Adam", reports[0]),
    )


@points(2)
def test_adam_quadratic(student, reference):
    """Adam: minimises a badly scaled quadratic step by step like torch.optim.Adam"""
    check_runs("Adam", student, reference, [quadratic_run(64, 80, {"lr": 0.05}, (-3, 2))])


def test_adam_defaults(student, reference):
    """Adam: default hyperparameters lr=1e-3, betas=(0.9, 0.999), eps=1e-8"""
    check_runs("Adam", student, reference, [open_run(65, 20, {})])


def test_adam_separate_state(student, reference):
    """Adam: two optimizers stepped in turn keep separate moments and step counts"""
    check_runs(
        "Adam",
        student,
        reference,
        [
            open_run(66, 20, {"lr": 0.01}),
            open_run(67, 12, {"lr": 0.03, "betas": (0.5, 0.9)}, shapes=[(2,), (3, 3)]),
        ],
    )
