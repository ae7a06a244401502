"""Everything of ours that runs inside the worker, next to the student's code.

The trust boundary of the grader is this folder. Nothing here is trusted at run time: the
submission shares the process with these modules and can replace any of them. So nothing
here decides a grade, holds a reference answer, an expected value or a hidden test, and
the parent believes none of what the worker's copy says: it checks every value against its
own reference computation. What the parent takes from here: ``plain`` (the channel's format,
to decode what comes back); the probes, to name them in requests and to run its *own* copy on
the reference solution (what the worker's copy does cannot reach it); ``jail`` as the
launcher program it starts (and its mode names); ``calls`` only in the otter/nbgrader bridge,
where everything runs in the student's kernel anyway.

- ``jail``     the launcher: isolates the worker (namespaces, uid, rlimits) before any
               student code runs (run as a script, or from ``template``);
- ``template`` the zygote that workers are forked from, with numpy/matplotlib imported;
- ``worker``   the agent: runs the submission's cells, then answers requests;
- ``calls``    what a request does to the student's namespace;
- ``plain``    the channel's data format and framing (shared with the parent);
- ``bans``     the audit hook that refuses banned libraries (01-05);
- ``integrity`` tamper evidence: did the submission rebind anything of ours?
- ``probes``   functions that build objects next to the student code and return raw values.

Only a copy of this folder (and an empty package ``__init__``) is visible to a worker.
"""
