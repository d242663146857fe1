#!/usr/bin/python3
"""Runs llama2.c's run.c several times and reports its speed two ways, for scripts/bench-llama-generate.sh.

    /usr/bin/python3 scripts/time_runc.py RUNS TOKENS ./run model.bin -z tok.bin -t 0 -n N -i ""

Per run: run.c's own "achieved tok/s" (wall clock, tokens after the first, as it prints it) and tokens per CPU-second
(TOKENS generated tokens over the user + system CPU time of the whole process, loading included: about a millisecond
for stories260K), which a machine shared with other jobs disturbs far less than wall-clock time. Prints one line per run, then
"run.c tokens/s: best B median M (R runs)" and "run.c tokens per CPU-second: best B median M".
"""
import re
import resource
import subprocess
import sys

runs, tokens, cmd = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
wall, cpu = [], []
for r in range(runs):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    m = re.search(r"achieved tok/s: ([0-9.]+)", p.stderr)
    if not m:
        sys.exit("run.c printed no 'achieved tok/s': " + p.stderr[-300:])
    seconds = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    wall.append(float(m.group(1)))
    cpu.append((tokens - 1) / seconds)
    print(f"run.c run {r + 1}: {wall[-1]:.1f} tokens/s; {seconds:.4f} CPU-s = {cpu[-1]:.1f} tokens per CPU-second")
for name, values in (("tokens/s", wall), ("tokens per CPU-second", cpu)):
    v = sorted(values)
    print(f"run.c {name}: best {v[-1]:.1f} median {v[len(v) // 2]:.1f} ({len(v)} runs)")
