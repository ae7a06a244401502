"""The worker: runs one submission's code and answers the grader's requests.

Started by ``autograder.sandbox`` (through ``autograder.inside.launcher.jail``) as ``python -m
autograder.inside.agent FD`` in a fresh, limited, isolated process, or forked, as fresh, from
the template ``python -m autograder.inside.agent --template CONFIG``
(``autograder.inside.launcher.template``). It talks to the grader over the socket FD with
length-prefixed plain-data frames: first it receives the submission's code cells and runs them
(an error in one cell is recorded and the next cell still runs, as in a notebook), then it
answers requests until the socket closes. Every request carries a sequence number that the
answer repeats. Nothing here is trusted by the grader: it decodes every frame itself, and
student code can replace anything in this process.
"""

from __future__ import annotations

import os
import socket
import sys

from autograder.inside import bans, calls, integrity, plain, probes
from autograder.inside.plain import recv_frame, send_frame

TYPE_CHECKING = False  # typing's flag, without importing typing at run time (mypy knows it)
if TYPE_CHECKING:
    from typing import Any

    from autograder.inside.plain import ErrorInfo, LoadReply, LoadRequest, Reply, Request

_MAIN_PID = os.getpid()


def _only_in_the_worker() -> None:
    """A process the submission forked must not talk to the grader: it ends here."""
    if os.getpid() != _MAIN_PID:
        os._exit(0)


def run_cells(cells: list[str]) -> tuple[dict[str, Any], list[ErrorInfo]]:
    """Run the code cells in one fresh namespace; returns (namespace, errors)."""
    namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": __builtins__}
    errors: list[ErrorInfo] = []
    for number, source in enumerate(cells, start=1):
        try:
            code = compile(source, f"<cell {number}>", "exec")
            exec(code, namespace)
        except BaseException as exc:  # a cell's sys.exit() or error must not stop the rest
            _only_in_the_worker()
            info = calls.describe_exception(exc)
            info["cell"] = number
            errors.append(info)
        _only_in_the_worker()
    return namespace, errors


def _encode_reply(reply: Reply | LoadReply, seq: int | None) -> bytes:
    try:
        data = plain.encode({**reply, "seq": seq})
        if len(data) > plain.MAX_BYTES:
            raise ValueError(
                f"the answer is {len(data) / 2**20:.0f} MB of data; the grader "
                f"accepts at most {plain.MAX_BYTES // 2**20} MB"
            )
        return data
    except BaseException as exc:
        reply = {"error": calls.describe_exception(exc, kind="unencodable")}
        return plain.encode({**reply, "seq": seq})


def main(fd: int) -> None:
    sock = socket.socket(fileno=fd)
    os.set_inheritable(fd, False)  # programs the submission runs do not get the channel
    os.register_at_fork(after_in_child=sock.close)
    # (None, the grader gone: decode's TypeError ends the worker)
    load: LoadRequest = plain.decode(recv_frame(sock))  # type: ignore[arg-type]
    bans.install(
        load.get("banned", ()),
        load.get("assignment") or "this assignment",
        programs=load.get("programs", True),
    )
    probes.load_all()  # (forked from a template: done there already)
    snapshot = integrity.Snapshot()  # (locals of this frame: not rebound by a cell)
    answer, encode_reply = calls.answer, _encode_reply
    namespace, errors = run_cells(load["cells"])
    tampered = snapshot.changed()
    send_frame(
        sock,
        encode_reply({"loaded": True, "errors": errors, "tampered": tampered}, load.get("seq")),
    )
    while True:
        frame = recv_frame(sock)
        if frame is None:
            break
        request: Request = plain.decode(frame)
        snapshot.take()  # what our own code imported meanwhile (a probe module) is ours
        reply = answer(namespace, request)
        _only_in_the_worker()
        tampered = tampered or snapshot.changed()
        if tampered:
            reply = {
                "error": {
                    "kind": "tampered",
                    "type": "RuntimeError",
                    "mro": [],
                    "message": tampered,
                    "where": "",
                }
            }
        send_frame(sock, encode_reply(reply, request.get("seq")))


if __name__ == "__main__":
    # the template (autograder.inside.launcher.template): a worker is a fork
    if sys.argv[1] == "--template":
        from autograder.inside.launcher import template as _template  # deferred: templates only

        main(_template.serve(sys.modules[__name__], sys.argv[2]))
    else:
        main(int(sys.argv[1]))
