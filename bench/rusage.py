"""Measure one whole process the same way for both sides of a bench case: `rusage.py OUT CMD ARGS…`.

Runs CMD as a child (its stdout into the file OUT, stderr kept), waits, and prints one JSON line:
wall seconds (perf_counter around spawn → exit), the child's user and system CPU seconds and peak RSS
(getrusage(RUSAGE_CHILDREN) after the wait: this wrapper has no other children), and the exit status.
The wrapper's own start-up is outside the measurement.
"""
import json
import resource
import subprocess
import sys
import time

out, cmd = sys.argv[1], sys.argv[2:]
with open(out, "wb") as f:
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=f, stderr=subprocess.PIPE)
    wall = time.perf_counter() - t0
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps(dict(
    wallS=wall, userS=ru.ru_utime, sysS=ru.ru_stime, cpuS=ru.ru_utime + ru.ru_stime,
    peakRssMB=ru.ru_maxrss / 1024, status=p.returncode, stderr=p.stderr.decode("utf8", "replace")[-400:],
)))
