"""The launcher: trusted code that isolates a worker before any student code runs (``jail``,
run as a script or from ``template``), and the template workers are forked from. Once the
submission runs, it shares the process with what is left of these, and nothing of them is
trusted."""
