"""Probes: functions ``probe(namespace, *plain_args) -> plain data`` that a hidden suite runs
next to the student code (``student.probe("module.probe", ...)``), and next to the reference
solution in a worker of its own (``reference.probe(...)``), for objects that cannot cross the
process boundary themselves (an nn.Module, an optimizer, a training loop). The grading
process names them and never imports them."""
