"""Realistic mistakes in 06_training (see bug_catalog.py).

Two classic mistakes show only on a GPU: batches left on the CPU (the model is on the GPU,
so the forward pass fails) and a get_device that ignores CUDA on a real GPU machine. The
first is catalogued only where this machine has a CUDA device, since elsewhere CPU is the
device and nothing goes wrong. The second is caught everywhere: the suite also calls
get_device with CUDA availability simulated.
"""

import os
import shutil

from bug_catalog import Bug


def _cuda_here():
    """A usable CUDA device (cheap check first, so CPU machines never import torch here)."""
    if not (os.path.exists("/dev/nvidiactl") or shutil.which("nvidia-smi")):
        return False
    try:
        import torch
    except ImportError:
        return False
    return torch.cuda.is_available()


BUGS = [
    Bug(
        "device_always_cpu",
        "get_device",
        '    if torch.cuda.is_available():\n        return torch.device("cuda")\n'
        '    return torch.device("cpu")',
        '    return torch.device("cpu")',
        "ignores the GPU",
    ),
    Bug(
        "mlp_without_relu",
        "SimpleMLP",
        "return self.fc2(self.relu(self.fc1(x)))",
        "return self.fc2(self.fc1(x))",
        "two linear layers without a nonlinearity are one linear layer",
    ),
    Bug(
        "mlp_softmax_in_forward",
        "SimpleMLP",
        "return self.fc2(self.relu(self.fc1(x)))",
        "return torch.softmax(self.fc2(self.relu(self.fc1(x))), dim=1)",
        "the model returns logits; CrossEntropyLoss applies the softmax",
    ),
    Bug(
        "criterion_bce_on_logits",
        "make_criterion",
        "        return nn.BCEWithLogitsLoss()\n",
        "        return nn.BCELoss()\n",
        "BCELoss expects probabilities, the model outputs logits",
    ),
    Bug(
        "criterion_unknown_task_is_mse",
        "make_criterion",
        "    raise ValueError(f\"unknown task {task!r}: use 'regression', 'multiclass' or 'binary'\")",
        "    return nn.MSELoss()",
        "a typo in the task must fail loudly",
    ),
    Bug(
        "optimizer_momentum_missing",
        "make_optimizer",
        "return torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)",
        "return torch.optim.SGD(model.parameters(), lr=lr)",
        "'momentum' means SGD with momentum=0.9",
    ),
    Bug(
        "loaders_validation_shuffles",
        "make_loaders",
        "shuffle=False)",
        "shuffle=True)",
        "the validation loader keeps a fixed order",
    ),
    Bug(
        "loaders_overlap",
        "make_loaders",
        "val_idx, train_idx = perm[:n_val], perm[n_val:]",
        "val_idx, train_idx = perm[:n_val], perm[:len(X) - n_val]",
        "training and validation examples must not overlap",
    ),
    Bug(
        "loaders_unseeded_shuffle",
        "make_loaders",
        "shuffle=True, generator=torch.Generator().manual_seed(seed))",
        "shuffle=True)",
        "the training order must be reproducible for a seed",
    ),
    Bug(
        "epoch_no_zero_grad",
        "train_one_epoch",
        "        optimizer.zero_grad()\n        loss = criterion(model(inputs), targets)\n",
        "        loss = criterion(model(inputs), targets)\n",
        "gradients accumulate across batches",
    ),
    Bug(
        "epoch_step_before_backward",
        "train_one_epoch",
        "        loss.backward()\n        optimizer.step()\n        running_loss",
        "        optimizer.step()\n        loss.backward()\n        running_loss",
        "the step must use this batch's gradients",
    ),
    Bug(
        "epoch_unweighted_batch_mean",
        "train_one_epoch",
        "        running_loss += loss.item() * inputs.shape[0]\n        seen += inputs.shape[0]\n",
        "        running_loss += loss.item()\n        seen += 1\n",
        "the smaller last batch gets as much weight as a full one",
    ),
    Bug(
        "epoch_no_train_mode",
        "train_one_epoch",
        "    model.train()\n    running_loss",
        "    running_loss",
        "after evaluate the model is still in eval mode",
    ),
    Bug(
        "evaluate_no_eval_mode",
        "evaluate",
        "    model.eval()\n    total_loss",
        "    total_loss",
        "dropout stays on during the evaluation",
    ),
    Bug(
        "evaluate_no_no_grad",
        "evaluate",
        "    with torch.no_grad():\n"
        "        for xb, yb in loader:\n"
        "            xb, yb = xb.to(device), yb.to(device)\n"
        "            logits = model(xb)\n"
        "            total_loss += criterion(logits, yb).item() * len(yb)\n"
        "            correct += (logits.argmax(dim=1) == yb).sum().item()\n"
        "            count += len(yb)\n",
        "    for xb, yb in loader:\n"
        "        xb, yb = xb.to(device), yb.to(device)\n"
        "        logits = model(xb)\n"
        "        total_loss += criterion(logits, yb).item() * len(yb)\n"
        "        correct += (logits.argmax(dim=1) == yb).sum().item()\n"
        "        count += len(yb)\n",
        "an evaluation needs no autograd graph",
    ),
    Bug(
        "evaluate_accuracy_as_count",
        "evaluate",
        "return total_loss / count, correct / count",
        "return total_loss / count, correct",
        "accuracy is a fraction",
    ),
    Bug(
        "fit_validates_on_training_data",
        "fit",
        "evaluate(model, val_loader, criterion, device)",
        "evaluate(model, train_loader, criterion, device)",
        "validation must use the held-out examples",
    ),
]

if _cuda_here():
    BUGS.append(
        Bug(
            "epoch_batches_not_on_device",
            "train_one_epoch",
            "        inputs, targets = inputs.to(device), targets.to(device)\n",
            "",
            "the model is on the GPU, the batches stay on the CPU",
        )
    )
