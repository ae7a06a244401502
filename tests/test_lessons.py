"""What the lessons say holds: every claim a short computation can show is computed here
against the reference (``autograder.course.master.load_reference``) or directly, so that the text
and the numbers cannot drift apart; and the student notebooks, run before any exercise is
done, print "finish the exercises above" instead of drawing empty figures.

All in-process and cheap (seconds): no grader, no worker, no notebook kernel.
"""

import contextlib
import functools
import io
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from autograder import course
from autograder.course import master
from autograder.course.master import load_reference  # noqa: E402
from autograder.publish import build  # noqa: E402

NUMPY_ASSIGNMENTS = [
    "01_perceptron",
    "02_activations",
    "03_forward",
    "04_backprop",
    "05_optimizers",
]


def markdown(assignment):
    """The master's lesson text, all markdown cells joined."""
    return "\n".join(c.source for c in master.read_master(assignment) if c.kind == "markdown")


def lesson_cell(assignment, contains):
    """The source of the one untagged code cell of the master that contains ``contains``."""
    found = [
        c.source
        for c in master.read_master(assignment)
        if c.kind == "code" and c.role == "lesson" and contains in c.source
    ]
    assert len(found) == 1, f"{assignment}: {len(found)} lesson cells contain {contains!r}"
    return found[0]


def run_lesson_cell(assignment, contains, namespace=None):
    """Run a lesson cell in a copy of the reference's namespace; (namespace, printed text)."""
    ns = dict(vars(load_reference(assignment)) if namespace is None else namespace)
    out = io.StringIO()
    with contextlib.redirect_stdout(out), _shows_close_figures():
        exec(compile(lesson_cell(assignment, contains), f"<{assignment} lesson>", "exec"), ns)
    return ns, out.getvalue()


@contextlib.contextmanager
def _shows_close_figures():
    """plt.show() closes what it shows, as Jupyter's inline backend does."""
    original = plt.show
    plt.show = lambda *a, **k: plt.close("all")
    try:
        yield
    finally:
        plt.show = original
        plt.close("all")


# ---- the student notebooks, untouched -----------------------------------------------------


def _student_code_cells(assignment):
    """(position among all cells, source) of the student notebook's code cells that run
    without otter: everything but the set-up cell and the grader.check cells."""
    nb = build.student_notebook(assignment)
    return [
        (i, c.source)
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code"
        and "otter" not in c.source
        and not c.source.startswith("grader.check(")
    ]


@pytest.mark.parametrize("assignment", course.assignment_names())
def test_untouched_notebook_draws_no_empty_figure(assignment):
    """Run top to bottom with every stub in place: each plot cell either shows its figure or
    prints why not, and leaves no figure behind (Jupyter would draw it empty)."""
    ns = {"__name__": "__main__"}
    with _shows_close_figures():
        for position, source in _student_code_cells(assignment):
            with (
                contextlib.redirect_stdout(io.StringIO()),
                contextlib.redirect_stderr(io.StringIO()),
            ):
                exec(compile(source, f"<{assignment} cell {position}>", "exec"), ns)
            left = plt.get_fignums()
            first = source.strip().splitlines()[0]
            assert not left, (
                f"{assignment}, cell {position} ({first!r}) leaves {len(left)} "
                "figure(s) open with the stubs in place: compute before plotting"
            )


# ---- the input conventions ------------------------------------------------------------------


def _exercise_texts(assignment):
    """{function: (its exercise's markdown, its public check)}: the markdown since the last
    "### Exercise" heading, for every function an exercise cell defines."""
    texts, heading = {}, ""
    for cell in master.read_master(assignment):
        if cell.kind == "markdown" and "### Exercise" in cell.source:
            heading = cell.source[cell.source.index("### Exercise") :]
        elif cell.role == "exercise":
            for name in re.findall(r"^(?:def|class) (\w+)", cell.source, re.M):
                texts[name] = (heading, "")
        elif cell.role == "check" and cell.question in texts:
            texts[cell.question] = (texts[cell.question][0], cell.source)
    return texts


def _hidden_list_tests(assignment):
    """{function: docstring} of the hidden tests that pass lists where arrays are expected."""
    import ast

    tree = ast.parse((course.PACKAGE_DIR / "suites" / f"test_{assignment}.py").read_text())
    found = {}
    for node in tree.body:
        is_test = isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
        doc = ast.get_docstring(node) if is_test else None
        doc = doc and doc.splitlines()[0]  # the test's public name: "function: what it checks"
        if doc and re.search(r"\blists?\b", doc) and not re.search(r"params list|-layer list", doc):
            found.setdefault(doc.split(":")[0], doc)
    return found


@pytest.mark.parametrize("assignment", NUMPY_ASSIGNMENTS)
def test_conventions_are_stated_at_the_top(assignment):
    """Before the first exercise: inputs may be numbers or lists, and none is modified."""
    intro = markdown(assignment).split("### Exercise")[0]
    block = re.search(
        r"\*\*(?:Conventions|Rules) for every function here\*\*.*?(?=\n#?\s*\n|\Z)", intro, re.S
    )
    assert block, (
        f"{assignment}: no 'Conventions for every function here' paragraph before Exercise 1"
    )
    text = " ".join(block.group(0).split())
    assert "Python number" in text and "list" in text, text
    assert re.search(r"modif(y|ies) (its|the) input", text), text


@pytest.mark.parametrize("assignment", NUMPY_ASSIGNMENTS)
def test_exercises_graded_with_lists_say_so(assignment):
    """Where a hidden test passes lists, the exercise's own text or public check does too."""

    def says_so(name):
        text, check = _exercise_texts(assignment)[name]
        return bool(
            re.search(r"\blists?\b", text)
            or re.search(rf"\b{name}\(\s*\[|\b{name}\([^\n]*\.tolist\(\)", check)
        )

    silent = [
        f"{name} ({doc})"
        for name, doc in _hidden_list_tests(assignment).items()
        if not says_so(name)
    ]
    assert not silent, (
        f"{assignment}: exercises graded with list inputs that never mention lists: {silent}"
    )


# ---- the lessons' claims, computed ----------------------------------------------------------


@functools.cache
def executed(assignment):
    """Run the master's code cells (lesson demos included, public checks left out) top to
    bottom, as a student who finished every exercise would: (namespace, [output of each
    code cell, in order])."""
    ns, outputs = {"__name__": "__main__"}, []
    with _shows_close_figures():
        for cell in master.read_master(assignment):
            if cell.kind != "code" or cell.role == "check":
                continue
            out = io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
                exec(compile(master.remove_markers(cell.source), f"<{assignment}>", "exec"), ns)
            outputs.append(out.getvalue())
    return ns, outputs


def printed(assignment, contains):
    """What the one lesson cell containing ``contains`` printed when the master ran."""
    cells = [c for c in master.read_master(assignment) if c.kind == "code" and c.role != "check"]
    index = cells.index(next(c for c in cells if c.source == lesson_cell(assignment, contains)))
    return executed(assignment)[1][index]


def say(assignment, *phrases):
    """The lesson text says each phrase (spaces and line breaks normalised)."""
    text = " ".join(markdown(assignment).split())
    for phrase in phrases:
        assert " ".join(phrase.split()) in text, f"{assignment} no longer says {phrase!r}"


def test_01_gates_converge_and_xor_never_does():
    ref = load_reference("01_perceptron")
    say("01_perceptron", "This also holds for $-0.0$", "the mistakes never reach zero")
    assert ref.step(-0.0) == 1.0
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    for y in ([0, 0, 0, 1], [0, 1, 1, 1]):  # AND and OR are linearly separable
        w, b, mistakes = ref.train_perceptron(X, np.array(y))
        assert mistakes[-1] == 0 and ref.perceptron_output(X, w, b).tolist() == y
    w, b, mistakes = ref.train_perceptron(X, np.array([0, 1, 1, 0]), max_epochs=30)
    assert len(mistakes) == 30 and 0 not in mistakes
    assert "accuracy on XOR after 30 epochs" in printed("01_perceptron", "xor_accuracy")


def test_02_sigmoid_slope_and_the_vanishing_product():
    ref = load_reference("02_activations")
    say(
        "02_activations",
        "the slope is at most $0.25$, reached at $x = 0$",
        "practically zero once $|x| > 5$",
        "multiply the signal by at most $0.25^{10} \\approx 10^{-6}$",
    )
    xs = np.linspace(-20, 20, 40001)
    slopes = ref.sigmoid_grad(xs)
    assert slopes.max() == ref.sigmoid_grad(0.0) == 0.25
    assert slopes[np.abs(xs) > 5].max() < 0.007
    assert 5e-7 < 0.25**10 < 2e-6  # ten layers: the product of the slopes is at most this
    np.testing.assert_allclose(ref.sigmoid(-xs), 1 - ref.sigmoid(xs), atol=1e-15)
    np.testing.assert_allclose(ref.tanh(xs), 2 * ref.sigmoid(2 * xs) - 1, atol=1e-14)
    assert ref.tanh_grad(0.0) == 1.0


def test_02_overflow_demos_print_what_the_text_says():
    say(
        "02_activations",
        "$e^{710} \\approx 2.2 \\times 10^{308}$ is already too large",
        "about `[0.09, 0.245, 0.665]`",
    )
    assert np.isfinite(np.exp(709.0)) and 710 / np.log(10) - 308 == pytest.approx(0.3486, abs=1e-3)
    with np.errstate(over="ignore"):
        assert np.exp(710.0) == np.inf
    out = printed("02_activations", "other_form = np.exp")
    assert "[0.  0.5 1. ]" in out and "[nan]" in out and "overflow" in out
    ref = load_reference("02_activations")
    np.testing.assert_allclose(
        ref.softmax([1000.0, 1001.0, 1002.0]), [0.09, 0.245, 0.665], atol=6e-3
    )


def test_02_values_are_torchs_for_finite_inputs():
    """The rules promise torch's values (float64) for every finite input, the conventions at
    exactly 0 included; not the sign of a zero result, nor nan (torch's relu(nan) is nan)."""
    import torch
    import torch.nn.functional as F

    ref = load_reference("02_activations")
    x = np.array([0.0, -0.0, 1e-300, -1e-300, 1e-8, -1e-8, 0.5, -0.5, 7.0, -7.0, 1e4, -1e4])
    pairs = {
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": torch.relu,
        "leaky_relu": lambda t: F.leaky_relu(t, 0.1),
        "elu": lambda t: F.elu(t, 2.0),
    }
    params = {"leaky_relu": {"negative_slope": 0.1}, "elu": {"alpha": 2.0}}
    for name, torch_fn in pairs.items():
        t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        out = torch_fn(t)
        out.sum().backward()
        got = getattr(ref, name)(x, **params.get(name, {}))
        np.testing.assert_allclose(got, out.detach().numpy(), rtol=1e-9, atol=1e-15, err_msg=name)
        grad = getattr(ref, f"{name}_grad")(x, **params.get(name, {}))
        np.testing.assert_allclose(grad, t.grad.numpy(), rtol=1e-9, atol=1e-15, err_msg=name)
    z = np.array([[1.0, -2.0, 1000.0], [0.0, 0.0, -0.0]])
    np.testing.assert_allclose(
        ref.softmax(z), torch.softmax(torch.tensor(z), dim=-1).numpy(), rtol=1e-15
    )
    say(
        "02_activations",
        "the sign of a zero result (`0.0` or `-0.0`) and the result for a "
        "`nan` input are not graded",
    )


def test_02_relu_kink_dead_units_and_the_fits():
    ns, _ = executed("02_activations")
    ref = load_reference("02_activations")
    coarse = np.linspace(-6, 6, 401)[::20]  # plot_activation's dots
    assert 0.0 in coarse
    h = 1e-5
    assert (ref.relu(h) - ref.relu(-h)) / (2 * h) == pytest.approx(0.5)  # "the lone dot at 0.5"
    assert ns["dead_relu"][0] == 0 and ns["dead_relu"][-1] > 0.9  # units die as b sinks
    assert np.all(np.diff(ns["dead_relu"]) >= 0)
    assert max(ns["dead_leaky"]) == 0  # "a unit ... still receives a (weak) gradient"
    errors = {name: np.mean((fit - ns["target"]) ** 2) for name, fit in ns["fits"].items()}
    linear = errors.pop("identity (no activation)")
    assert linear > 0.3 and max(errors.values()) < 0.01, errors


def test_03_initialisation_claims():
    say(
        "03_forward",
        "$\\operatorname{Var}(z) \\approx q / 3$ **whatever the width**",
        "the activations shrink by about $\\sqrt{6} \\approx 2.4$ per ReLU layer",
        "its curve stays flat",
        "A fixed $k = 0.5$ that ignores the width explodes fastest",
    )
    ns, _ = executed("03_forward")
    fixed, scaled = ns["one_layer"].values()
    assert fixed[-1] / fixed[0] == pytest.approx(np.sqrt(4096 / 4), rel=0.2)  # grows like sqrt(in)
    np.testing.assert_allclose(scaled[1:], np.sqrt(1 / 3), rtol=0.1)  # q = 1 for N(0, 1) inputs
    per_layer = {label: (stds[-1] / stds[0]) ** (1 / 29) for label, stds in ns["deep"].items()}
    small, default, he, large, fixed_k = per_layer.values()
    assert default == pytest.approx(1 / np.sqrt(6), rel=0.1)
    assert 0.95 < he < 1.05 and small < default < he < 1 < large < fixed_k


def test_03_xor_by_hand_and_the_parameter_count():
    ref = load_reference("03_forward")
    assert "[0 1 1 0]" in printed("03_forward", "xor_params = [")
    assert ref.count_parameters([784, 128, 64, 10]) == 109386
    rows = [(784, 128, 100352, 100480), (128, 64, 8192, 8256), (64, 10, 640, 650)]
    for n_in, n_out, weights, total in rows:
        assert n_in * n_out == weights and ref.count_parameters([n_in, n_out]) == total
    ns, _ = executed("03_forward")
    for fits in ns["curves"]:  # universal approximation: more hidden units, a closer fit
        worst = [np.abs(fit - ns["target"](ns["x_plot"])).max() for fit in fits.values()]
        assert worst == sorted(worst, reverse=True), worst


def test_04_chain_rule_table():
    ref = load_reference("04_backprop")
    x, w, b, y = 1.5, 0.8, -0.2, 1.0
    a = float(ref.sigmoid(w * x + b))
    dL_da, da_dz = 2 * (a - y), a * (1 - a)
    dL_dz = dL_da * da_dz
    table = {
        "0.7311": a,
        "0.0723": (a - y) ** 2,
        "-0.5379": dL_da,
        "0.1966": da_dz,
        "-0.1058": dL_dz,
        "-0.1586": dL_dz * x,
        "0.9586": w - dL_dz * x,
        "-0.0942": b - dL_dz,
    }
    text = markdown("04_backprop")
    for shown, value in table.items():
        assert shown in text and round(value, 4) == float(shown), (shown, value)
    after = (float(ref.sigmoid((w - dL_dz * x) * x + b - dL_dz)) - y) ** 2
    assert "$0.0428$" in text and round(after, 4) == 0.0428


def test_04_bce_through_probabilities_jumps_to_the_clamp():
    say(
        "04_backprop",
        "the loss follows $z$ up to about $z = 34$",
        "at $z \\approx 37$, where $\\sigma(z)$ rounds to exactly $1$, it **jumps to 100**",
        "in float64, $\\sigma(40)$ *is* exactly $1.0$",
        "the true loss is 40",
    )
    ref = load_reference("04_backprop")
    z = np.linspace(-10, 120, 300)  # the plot's grid
    via = np.array([ref.bce_loss(ref.sigmoid(np.array([v])), np.array([0.0])) for v in z])
    fused = np.array([ref.bce_with_logits_loss(np.array([v]), np.array([0.0])) for v in z])
    np.testing.assert_allclose(fused, np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z))))
    follows = (z >= 5) & (z <= 34)  # log(1 + e^z) = z + log(1 + e^-z): z, once z > 5
    assert np.abs(via[follows] - z[follows]).max() < 0.1
    first_one = z[ref.sigmoid(z) == 1.0][0]
    assert 36.5 < first_one < 37.5 and np.all(via[z >= first_one] == 100.0)
    assert via[z < first_one].max() < 37
    assert ref.sigmoid(40.0) == 1.0 and ref.bce_with_logits_loss([40.0], [0.0]) == 40.0


def test_04_gradient_checks_report_what_the_text_expects():
    say(
        "04_backprop",
        "Every line should report a relative error far below $10^{-7}$",
        "Expect errors around $10^{-7}$ or below",
        "5 and 10 correct digits",
    )
    lines = printed("04_backprop", '"linear_backward dx": (dx_c').strip().splitlines()
    assert len(lines) == 11 and all(line.endswith("ok") for line in lines), lines
    assert max(float(line.split()[-2]) for line in lines) < 1e-8
    worst = printed("04_backprop", "worst relative error over all").strip().splitlines()
    assert len(worst) == 3 and max(float(line.split()[-1]) for line in worst) <= 2e-7, worst
    h = 1e-5  # forward differences: about 5 correct digits, central ones about 10
    forward = abs((np.sin(1 + h) - np.sin(1)) / h - np.cos(1))
    central = abs((np.sin(1 + h) - np.sin(1 - h)) / (2 * h) - np.cos(1))
    assert 1e-6 < forward < 1e-5 and central < 1e-9


def test_05_learning_rates_momentum_and_adam():
    say(
        "05_optimizers",
        "anything above $2/20 = 0.1$ blows up",
        "ten times $g$ for $\\mu = 0.9$",
        "Adam's first steps have length $\\eta$ in *both* coordinates",
        "momentum and Adam get much further in the same 400 steps",
    )
    ns, _ = executed("05_optimizers")
    final = {label.split(":")[0]: ns["bowl"](*path[-1]) for label, path in ns["lr_paths"].items()}
    assert final["0.105"] > ns["bowl"](*ns["THETA0"]) * 100  # diverges
    assert final["0.09"] == min(final.values())  # "fastest here"
    assert final["0.002"] > final["0.03"] > final["0.09"]
    seen, _ = ns["curves"]["minibatch SGD (B = 32)"]
    assert len(seen) - 1 == 3 * int(np.ceil(2000 / 32)) == 189
    assert len(ns["curves"]["full batch (B = 2000)"][0]) - 1 == 3
    p = np.zeros(1)
    opt = ns["SGD"]([p], lr=1.0, momentum=0.9)
    for _ in range(300):
        opt.step([np.ones(1)])
    assert opt.buffers[0][0] == pytest.approx(10.0)  # a steady g: the buffer nears g / (1 - mu)
    step = ns["adam_path"][1] - ns["adam_path"][0]
    np.testing.assert_allclose(np.abs(step), [0.3, 0.3], rtol=1e-6)
    sgd, momentum, adam = (ns["rosenbrock"](*path[-1]) for path in ns["banana_paths"])
    assert momentum < sgd / 10 and adam < sgd / 10


def test_06_autograd_accumulates_and_bce_on_probabilities():
    say(
        "06_training",
        "The gradient grows 6, 12, 18",
        "The exact answer is $(40 + 40 + 0.47)/3 \\approx 26.8$",
        "The probability route reports $46.8$",
        "its gradient for that example is exactly zero",
    )
    ns, out = run_lesson_cell("06_training", "w = torch.tensor(3.0, requires_grad=True)")
    assert [float(v) for v in re.findall(r"w.grad = ([\d.]+)", out)] == [6.0, 12.0, 18.0]
    import torch
    import torch.nn as nn

    ns, out = run_lesson_cell("06_training", "nn.BCELoss()(torch.sigmoid(logits), targets)")
    exact, clamped = (float(v) for v in re.findall(r"\s([\d.]+)\n", out))
    assert round(exact, 1) == 26.8 and round(clamped, 1) == 46.8
    assert torch.sigmoid(torch.tensor(40.0)).item() == 1.0  # float32
    logits = ns["logits"].clone().requires_grad_(True)
    nn.BCELoss()(torch.sigmoid(logits), ns["targets"]).backward()
    assert logits.grad[0].item() == 0.0


def test_06_valley_learning_rate_limit():
    say("06_training", "any `lr` above $2/50 = 0.04$ diverges")
    import torch

    valley = load_reference("06_training")  # the loss is the lesson's: 0.5 w1^2 + 25 w2^2
    ns, _ = run_lesson_cell("06_training", "def valley_loss(p):", dict(vars(valley)))
    for lr, diverges in ((0.038, False), (0.041, True)):
        point = torch.tensor([-9.0, 2.0], requires_grad=True)
        optimizer = torch.optim.SGD([point], lr=lr)
        for _ in range(200):
            optimizer.zero_grad()
            ns["valley_loss"](point).backward()
            optimizer.step()
        assert (abs(point[1].item()) > 2.0) == diverges, lr


def test_06_dropout_demo_is_seeded_and_draws_anew_each_call():
    say("06_training", "a different set each call")
    outputs = [run_lesson_cell("06_training", "dropout = nn.Dropout(p=0.5)")[1] for _ in range(2)]
    assert outputs[0] == outputs[1], "the seeded demo prints the same every run"
    first, second, evaluated = (
        [float(v) for v in re.findall(r"\[\[(.*?)\]\]", line)[0].split(",")]
        for line in outputs[0].splitlines()
    )
    assert first != second and set(first) | set(second) <= {0.0, 2.0}
    assert evaluated == [1.0] * 8


def test_06_one_logit_is_no_drop_in_change():
    """One logit with BCEWithLogitsLoss: the notebook's loaders give a shape error, and an
    argmax over one column is always class 0."""
    import torch

    say(
        "06_training",
        'it raises "Target size ... must be the same as input size"',
        "an argmax over a single column is always 0",
    )
    ref = load_reference("06_training")
    X, y = ref.make_moons(60, noise=0.15, seed=0)
    train, val = ref.make_loaders(X, y, batch_size=16, val_fraction=0.25, seed=0)
    model = ref.SimpleMLP(2, 8, 1)
    with pytest.raises(ValueError, match="Target size .* must be the same as input size"):
        ref.train_one_epoch(
            model,
            train,
            ref.make_criterion("binary"),
            ref.make_optimizer(model, "adam", 0.01),
            torch.device("cpu"),
        )
    with torch.no_grad():
        assert model(torch.as_tensor(X)).argmax(dim=1).eq(0).all()


def test_06_removing_the_relu_costs_about_seven_points():
    """The notebook's recipe (Adam 0.01, 20 epochs, hidden 32) with and without the ReLU."""
    import torch

    say("06_training", "the validation accuracy drops from about 98% to about 91%")
    ref = load_reference("06_training")

    class WithoutReLU(ref.SimpleMLP):
        def forward(self, x):
            return self.fc2(self.fc1(x))

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        accuracy = {}
        X, y = ref.make_moons(500, noise=0.15, seed=0)
        for model_class in (ref.SimpleMLP, WithoutReLU):
            torch.manual_seed(0)
            train, val = ref.make_loaders(X, y, batch_size=32, val_fraction=0.2, seed=0)
            model = model_class(2, 32, 2)
            optimizer = ref.make_optimizer(model, "adam", lr=0.01)
            for _ in range(20):
                ref.train_one_epoch(
                    model, train, ref.make_criterion("multiclass"), optimizer, torch.device("cpu")
                )
            accuracy[model_class] = ref.evaluate(
                model, val, ref.make_criterion("multiclass"), "cpu"
            )[1]
    finally:
        torch.set_num_threads(threads)
    assert accuracy[ref.SimpleMLP] == pytest.approx(0.98, abs=0.015)
    assert accuracy[WithoutReLU] == pytest.approx(0.91, abs=0.015)


def test_04_the_descent_path_is_drawn_with_equal_axes():
    """The right angles the text points at are right angles on the page only when one unit of
    w is as long as one unit of b."""
    say("04_backprop", "both axes are drawn to the same scale")
    aspects = []
    original = plt.show
    plt.show = lambda *a, **k: aspects.extend(ax.get_aspect() for ax in plt.gcf().axes)
    try:
        namespace = dict(vars(load_reference("04_backprop")))
        with contextlib.redirect_stdout(io.StringIO()):
            exec(
                compile(
                    lesson_cell("04_backprop", "line_loss_and_grad(w, b)"), "<04 lesson>", "exec"
                ),
                namespace,
            )
    finally:
        plt.show = original
        plt.close("all")
    assert aspects and aspects[0] == 1.0, aspects


def _digits_split():
    from sklearn.datasets import load_digits

    ref = load_reference("07_digits")
    X, y = load_digits(return_X_y=True)
    return ref, ref.train_val_split(X, y, 0.2, seed=0)


def test_07_split_sizes_and_the_constant_pixels():
    say(
        "07_digits",
        "all 1,438 training digits",
        "45 steps per epoch",
        "the top-left corner, and the first and the last pixel of the",
    )
    ref, (X_train, X_val, _, _) = _digits_split()
    assert (len(X_train), len(X_val)) == (1438, 359)
    assert -(-len(X_train) // 32) == 45
    constant = np.flatnonzero(X_train.std(axis=0) == 0).tolist()
    assert [divmod(i, 8) for i in constant] == [(0, 0), (4, 0), (4, 7)]  # (row, column)


def test_07_learning_curves_cross_as_the_text_says():
    """The notebook's DigitsNet run: validation below training for the first epochs, then
    training below 0.01 while validation levels off near 0.05."""
    import torch
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset

    say(
        "07_digits",
        "the validation loss sits *below* the training loss",
        "From about the sixth epoch on",
        "below 0.01 by the end",
        "near 0.05",
    )
    ref, (X_raw, X_val_raw, y_train, y_val) = _digits_split()
    X_train, X_val, _, _ = ref.standardize_splits(X_raw, X_val_raw)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        torch.manual_seed(0)
        net = ref.DigitsNet(64)
        train = DataLoader(
            TensorDataset(torch.as_tensor(X_train, dtype=torch.float32), torch.as_tensor(y_train)),
            batch_size=128,
            shuffle=True,
            generator=torch.Generator().manual_seed(0),
        )
        val = DataLoader(
            TensorDataset(torch.as_tensor(X_val, dtype=torch.float32), torch.as_tensor(y_val)),
            batch_size=256,
        )
        criterion = nn.CrossEntropyLoss()
        optimizer = torch.optim.Adam(net.parameters(), lr=3e-3)
        curves = [
            (
                ref.train_one_epoch(net, train, criterion, optimizer, "cpu"),
                ref.evaluate(net, val, criterion, "cpu")[0],
            )
            for _ in range(30)
        ]
    finally:
        torch.set_num_threads(threads)
    below = [validation < training for training, validation in curves]
    assert all(below[:4]) and not any(below[7:]), below
    assert curves[-1][0] < 0.01 and 0.03 < curves[-1][1] < 0.07, curves[-1]


# ---- the student release --------------------------------------------------------------------


@pytest.mark.parametrize("assignment", course.assignment_names())
def test_notebook_says_where_its_checks_are(assignment):
    """A notebook moved out of its folder fails every check with otter's "Test ... not
    found": the title cell and the set-up cell say that the checks live in tests/ beside it."""
    nb = build.student_notebook(assignment)
    assert f"`assignments/{assignment}/`, next to the `tests/` folder" in nb.cells[0].source
    setup = nb.cells[1].source
    assert "otter.Notebook" in setup and "tests/ folder next to this notebook" in setup
    assert (course.ASSIGNMENTS_DIR / assignment / "tests").is_dir()


def test_nbconvert_to_script_writes_a_py_file():
    from nbconvert import ScriptExporter

    nb = build.student_notebook("01_perceptron")
    _, resources = ScriptExporter().from_notebook_node(nb)
    assert resources["output_extension"] == ".py"


def test_otter_log_is_ignored_by_git():
    import subprocess

    proc = subprocess.run(
        ["git", "check-ignore", "-q", "assignments/01_perceptron/.OTTER_LOG"],
        cwd=course.REPO_ROOT,
        capture_output=True,
    )
    assert proc.returncode == 0, "otter's .OTTER_LOG should be in .gitignore"
