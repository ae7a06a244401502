"""Probes: functions ``probe(namespace, *plain_args) -> plain data`` that a hidden suite runs
next to the student code (``student.probe(probe, ...)``), for objects that cannot cross the
process boundary themselves (an nn.Module, an optimizer, a training loop)."""
