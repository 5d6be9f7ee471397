"""make bench: the project's claims measured against what users would do
instead, in one run on one machine (bench/run prepares what this needs).

  install  in the stack's build root, each run timed by bench/timeit.c (fork,
           exec, exit; the chroot is not in the figure):
           - bin/compile of the release tarball (make package: its prebuilt
             program) from the package: cold (empty cache, repository on
             127.0.0.1) and warm (exact version, cache kept); and cold from
             a git checkout, where the stack's cc compiles the program;
           - bin/compile's source fallback (no repository configured,
             JEMALLOC_SOURCE_URL at the official tarball on 127.0.0.1): cold,
             and warm (tree cached, the URL at a closed port);
           - the compile-at-build-time baseline: cold, configure and make of
             the release tarball; warm, exactly what such a buildpack's warm
             build does: bash starting and copying its cached tree
             (bash -c 'cp -a CACHE/vendor APP/');
           - where the warm build's time goes: sh start, the shim's key
             (sourcing bin/program), the program alone.
  alloc    bench/alloc.c on glibc, on the packaged library, on jemalloc
           built from the same source with upstream's default flags, and on
           Debian's libjemalloc2.
  activate jemalloc.sh true against true; a shell that sources the
           .profile.d script against one that does not (hyperfine).
  memory   three workloads shaped like the apps that need jemalloc (a
           Rails-like Puma app and a Python threaded server under wrk, a
           Sidekiq-like Ruby job runner), each long enough for RSS to level
           off: RSS over time (peak, plateau, after idle) and throughput and
           p99, for glibc, glibc with MALLOC_ARENA_MAX=2, a search over
           MALLOC_CONF on the newest jemalloc, Debian's libjemalloc2, and the
           older jemalloc versions, each with the best setting its options
           allow. Every figure is also a ratio against MALLOC_ARENA_MAX=2.
  metrics  what the JEMALLOC_METRICS lines cost on the Puma workload: the
           recommended setting on the newest jemalloc with and without
           lib/libjemalloc-metrics.so (every 20 s, the default, and every
           1 s), in turns, several rounds: throughput, RSS after boot and
           the plateau, against the same setting without the lines.

Writes OUT/benchmarks.json (machine, load, versions, every figure, ratios),
OUT/benchmarks.md (the tables: benchmarks_md, which scripts/docs also runs to
check the committed page against the record) and OUT/benchmarks-rss.png (the
plot). The figures quoted in README.md and docs/ are made from
benchmarks.json by scripts/docs, never typed.
Prints the ratios as it goes. Timings are reported, never asserted."""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

# The search over MALLOC_CONF on the newest jemalloc: its defaults, then one
# knob at a time around the previous recommendation (narenas:2 with a 1 s
# dirty decay): the background thread, the arena count, per-CPU arenas, decay,
# the tcache's size, extent fit and retain; so each row says what that knob
# does here. Last, the knobs that saved memory together ("lean").
# (label, MALLOC_CONF)
SEARCH = [
    ("defaults", ""),
    ("narenas:2, 1 s decay", "narenas:2,background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0"),
    ("no background thread", "narenas:2,dirty_decay_ms:1000,muzzy_decay_ms:0"),
    ("narenas:1", "narenas:1,background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0"),
    ("percpu_arena", "percpu_arena:percpu,background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0"),
    ("decay at once", "narenas:2,background_thread:true,dirty_decay_ms:0,muzzy_decay_ms:0"),
    ("small tcache", "narenas:2,background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0,tcache_max:1024"),
    ("tight fit, no retain", "narenas:2,background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0,lg_extent_max_active_fit:2,retain:false"),
    ("lean", "narenas:1,background_thread:true,dirty_decay_ms:0,muzzy_decay_ms:0,tcache_max:1024"),
]
# The setting the README recommends, chosen from this search's data (the
# README's memory tables give its cost); Debian's library and the older
# versions run it too, in the options each has (best_conf).
RECOMMENDED_LABEL = "lean"
RECOMMENDED = dict(SEARCH)[RECOMMENDED_LABEL]
# The shorter runs: --quick, --long, and the Python workload by default.
QUICK_SEARCH = ("defaults", RECOMMENDED_LABEL)
LONG_SEARCH = ("defaults", RECOMMENDED_LABEL)
PYTHON_SEARCH = ("defaults", "narenas:2, 1 s decay", "decay at once", RECOMMENDED_LABEL)


def best_conf(version):
    """RECOMMENDED in the options VERSION has. 5.3 has them all; 5.0 to 5.2
    size the tcache by lg_tcache_max; 4.1 to 4.5 decay by time in seconds
    (purge:decay, decay_time) and have no background thread; 3.x purges by
    a ratio of dirty to active pages only (lg_dirty_mult: 8, at most one
    dirty page in 256 active ones, is its nearest to decaying fast)."""
    opts = dict(kv.split(":", 1) for kv in RECOMMENDED.split(","))
    v = tuple(int(x) for x in version.split(".")[:2])
    out = ["narenas:" + opts["narenas"]] if "narenas" in opts else []
    if v >= (5, 0):
        out += ["%s:%s" % (k, opts[k]) for k in ("background_thread", "dirty_decay_ms", "muzzy_decay_ms") if k in opts]
    elif v >= (4, 1):
        out += ["purge:decay", "decay_time:%d" % (int(opts.get("dirty_decay_ms", "10000")) // 1000)]
    else:
        out += ["lg_dirty_mult:8"]
    if "tcache_max" in opts:
        out.append("tcache_max:" + opts["tcache_max"] if v >= (5, 3) else "lg_tcache_max:%d" % (int(opts["tcache_max"]).bit_length() - 1))
    return ",".join(out)


HERE = os.path.dirname(os.path.abspath(__file__))
PARTS = ("install", "alloc", "activate", "memory", "metrics")
CLEAN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def say(line=""):
    print(line, flush=True)


def summary(xs):
    """Median and spread of a list of seconds (or any figures)."""
    return {"runs": len(xs), "median": statistics.median(xs), "min": min(xs), "max": max(xs), "all": xs}


def fmt_s(x):
    return "%.1f ms" % (x * 1000) if x < 0.1 else "%.0f ms" % (x * 1000) if x < 1 else "%.1f s" % x


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


# --- install time -----------------------------------------------------------------


class Root:
    """The stack's build root; W is the bench's directory inside it."""

    def __init__(self, path, timeit):
        self.path = path
        self.timeit = timeit
        self.w = "/tmp/bench"

    def host(self, inside):
        return self.path + inside

    def env(self, **extra):
        env = {"PATH": CLEAN_PATH, "HOME": "/root", "LC_ALL": "C", "STACK": "heroku-24", **extra}
        return ["%s=%s" % kv for kv in env.items()]

    def timed(self, argv, **extra):
        """Runs ARGV in the root with a clean environment (and EXTRA);
        returns (seconds, stdout). Stops the bench when it fails."""
        p = subprocess.run([self.timeit, self.path, *self.env(**extra), "--", *argv], capture_output=True, text=True)
        m = re.search(r"^timeit: seconds=([0-9.]+) status=(\d+)\n?\Z", p.stderr, re.M)
        if p.returncode != 0 or not m:
            sys.exit("bench: %s failed in %s (exit %d):\n%s%s" % (argv, self.path, p.returncode, p.stdout, p.stderr))
        return float(m.group(1)), p.stdout

    def fresh(self, *dirs):
        for d in dirs:
            shutil.rmtree(self.host(d), ignore_errors=True)
            os.makedirs(self.host(d))


def copy_buildpack(a, dest, repository=True, git=False):
    """The buildpack as users get it: the release tarball (make package),
    prebuilt program included; GIT: as a checkout has it, the files
    scripts/package --list names (as tests/lib.sh copy_buildpack does), so
    the program is compiled. REPOSITORY false: a repository.conf that names
    no repository."""
    if git:
        files = subprocess.run([os.path.join(a.top, "scripts/package"), "--list"], check=True, capture_output=True,
                               text=True).stdout.split()
        for f in files:
            os.makedirs(os.path.dirname(os.path.join(dest, f)), exist_ok=True)
            shutil.copy2(os.path.join(a.top, f), os.path.join(dest, f))
    else:
        os.makedirs(dest)
        subprocess.run(["tar", "-xzf", a.buildpack, "-C", dest], check=True)
    if not repository:
        with open(dest + "/repository.conf") as f:
            conf = re.sub(r"^(url|key)=.*$", r"\1=", f.read(), flags=re.M)
        with open(dest + "/repository.conf", "w") as f:
            f.write(conf)


def write_env(root, d, values):
    root.fresh(d)
    for k, v in values.items():
        with open(root.host("%s/%s" % (d, k)), "w") as f:
            f.write(v + "\n")


def timed_runs(root, n, argv, fresh, want, what, **extra):
    """N runs of ARGV, each after emptying FRESH; every run's log has WANT."""
    times = []
    for _ in range(n):
        root.fresh(*fresh)
        t, out = root.timed(argv, **extra)
        if want not in out:
            sys.exit("bench: %s: the log has no %r:\n%s" % (what, want, out))
        times.append(t)
    return summary(times)


def install_time(a, root):
    w = root.w
    shutil.rmtree(root.host(w), ignore_errors=True)
    os.makedirs(root.host(w))
    copy_buildpack(a, root.host(w + "/bp"))
    copy_buildpack(a, root.host(w + "/bp-git"), git=True)
    copy_buildpack(a, root.host(w + "/bp-src"), repository=False)
    with open(a.key) as f:
        key = f.read().strip()
    write_env(root, w + "/env", {"JEMALLOC_APT_URL": a.apt_url, "JEMALLOC_APT_KEY": key, "JEMALLOC_VERSION": a.version})
    write_env(root, w + "/env-src", {"JEMALLOC_SOURCE_URL": a.src_url, "JEMALLOC_VERSION": a.version})
    write_env(root, w + "/env-src-warm", {"JEMALLOC_SOURCE_URL": "http://127.0.0.1:%s/src" % a.closed_port, "JEMALLOC_VERSION": a.version})
    tarball = "jemalloc-%s.tar.bz2" % a.version
    shutil.copy(a.tarball, root.host("%s/%s" % (w, tarball)))
    compile_pkg = [w + "/bp/bin/compile", w + "/app", w + "/cache", w + "/env"]
    r = {"load_before": loadavg()}

    say("-----> Install time: the buildpack against compiling jemalloc %s at build time (load %.2f)" % (a.version, r["load_before"]))
    r["buildpack_cold"] = timed_runs(root, a.runs_cold, compile_pkg, (w + "/app", w + "/cache"),
                                     "Downloaded heroku-jemalloc_%s-" % a.version, "a cold bin/compile")
    r["buildpack_warm"] = timed_runs(root, a.runs_warm, compile_pkg, (w + "/app",), "from the cache", "a warm bin/compile")
    # From a git checkout (no prebuilt program): the stack's cc compiles src/.
    compile_git = [w + "/bp-git/bin/compile", w + "/app", w + "/cache-git", w + "/env"]
    r["buildpack_cold_git"] = timed_runs(root, a.runs_cold, compile_git, (w + "/app", w + "/cache-git"),
                                         "Downloaded heroku-jemalloc_%s-" % a.version, "a cold bin/compile from git")

    cold_src = [w + "/bp-src/bin/compile", w + "/app", w + "/cache-fb", w + "/env-src"]
    warm_src = [w + "/bp-src/bin/compile", w + "/app", w + "/cache-fb", w + "/env-src-warm"]
    r["fallback_cold"] = timed_runs(root, a.runs_src, cold_src, (w + "/app", w + "/cache-fb"),
                                    "Building jemalloc %s" % a.version, "a cold source fallback")
    r["fallback_warm"] = timed_runs(root, a.runs_warm, warm_src, (w + "/app",),
                                    "built from source for heroku-24", "a warm source fallback")

    build = ("set -e; cd %s/src; tar -xjf ../%s; cd jemalloc-%s; ./configure --prefix=%s/app/vendor/jemalloc >/dev/null; "
             'make -j"$(nproc)" build_lib_shared >/dev/null; make install_lib_shared >/dev/null') % (w, tarball, a.version, w)
    r["source_cold"] = timed_runs(root, a.runs_src, ["/bin/bash", "-c", build], (w + "/src", w + "/app"), "", "compiling jemalloc")
    root.fresh(w + "/cache-src")
    shutil.copytree(root.host(w + "/app/vendor"), root.host(w + "/cache-src/vendor"), symlinks=True)
    copy = ["/bin/bash", "-c", "cp -a %s/cache-src/vendor %s/app/" % (w, w)]
    r["source_warm"] = timed_runs(root, a.runs_warm, copy, (w + "/app",), "", "bash copying the cached build")

    # Where a warm build's time goes: the shell that runs the shim, the
    # shim's check that its cached program is current (bin/program runs
    # `heroku-jemalloc current`), and the program itself (apt-free: the
    # cached, verified package).
    prog = os.path.join(w, "cache/jemalloc/program/heroku-jemalloc")
    r["warm_parts"] = {
        "sh_start": timed_runs(root, a.runs_warm, ["/bin/sh", "-c", ":"], (), "", "sh"),
        "bash_start": timed_runs(root, a.runs_warm, ["/bin/bash", "-c", ":"], (), "", "bash"),
        "shim_key": timed_runs(root, a.runs_warm, ["/bin/sh", "-c", ". %s/bp/bin/program" % w], (), "", "the shim's program check",
                               BP_DIR=w + "/bp", CACHE_DIR=w + "/cache"),
        "program": timed_runs(root, a.runs_warm, [prog, "compile", w + "/app", w + "/cache", w + "/env"], (w + "/app",),
                              "from the cache", "the program alone", BP_DIR=w + "/bp"),
    }
    r["load_after"] = loadavg()
    med = {k: r[k]["median"] for k in ("buildpack_cold", "buildpack_cold_git", "buildpack_warm", "fallback_cold", "fallback_warm",
                                       "source_cold", "source_warm")}
    r["ratios"] = {
        "cold_speedup": med["source_cold"] / med["buildpack_cold"],
        "cold_git_speedup": med["source_cold"] / med["buildpack_cold_git"],
        "warm_ratio": med["buildpack_warm"] / med["source_warm"],
        "fallback_cold_speedup": med["source_cold"] / med["fallback_cold"],
        "fallback_warm_ratio": med["fallback_warm"] / med["source_warm"],
        "targets": {"cold_speedup": ">= 100", "warm_ratio": "<= 1.5"},
    }
    for k, what in (("buildpack_cold", "package, empty cache"), ("buildpack_cold_git", "package, empty cache, from git"),
                    ("buildpack_warm", "package, warm cache"),
                    ("fallback_cold", "source fallback, empty cache"), ("fallback_warm", "source fallback, warm cache"),
                    ("source_cold", "baseline: configure + make"), ("source_warm", "baseline: bash + cp -a of its cache")):
        s = r[k]
        say("       %-36s median %8s (%s to %s, %d runs)" % (what, fmt_s(s["median"]), fmt_s(s["min"]), fmt_s(s["max"]), s["runs"]))
    q = r["ratios"]
    say("       package: cold %.0fx faster than compiling (target >= 100x: %s); warm %.2fx the baseline's copy (target <= 1.5x: %s)"
        % (q["cold_speedup"], "met" if q["cold_speedup"] >= 100 else "missed",
           q["warm_ratio"], "met" if q["warm_ratio"] <= 1.5 else "missed"))
    say("       from a git checkout (the program compiled): cold %.0fx faster than compiling jemalloc" % q["cold_git_speedup"])
    say("       source fallback: cold %.2fx the speed of compiling; warm %.2fx the baseline's copy"
        % (q["fallback_cold_speedup"], q["fallback_warm_ratio"]))
    p = r["warm_parts"]
    say("       warm build, in parts: sh %s, bash %s, the shim's program check %s, the program alone %s"
        % tuple(fmt_s(p[k]["median"]) for k in ("sh_start", "bash_start", "shim_key", "program")))
    say("       (load %.2f before, %.2f after)" % (r["load_before"], r["load_after"]))
    # What the allocator benchmark preloads as "upstream defaults": the baseline's build.
    r["upstream_lib"] = root.host(w + "/cache-src/vendor/jemalloc/lib/libjemalloc.so.2")
    r["app"] = root.host(w + "/app-bp")
    root.fresh(w + "/app-bp")
    root.timed([w + "/bp/bin/compile", w + "/app-bp", w + "/cache", w + "/env"])
    return r


# --- allocator speed ----------------------------------------------------------------


def lib_version(lib):
    """The jemalloc version a process with LIB preloaded reports."""
    env = {"PATH": CLEAN_PATH, "LD_PRELOAD": lib, "MALLOC_CONF": "stats_print:true"}
    p = subprocess.run(["/bin/true"], env=env, capture_output=True, text=True)
    m = re.search(r'^Version: "?([0-9.]+)', p.stderr, re.M)
    if not m:
        sys.exit("bench: %s did not load: %s" % (lib, p.stderr[:500]))
    return m.group(1)


def alloc_speed(a, libs):
    say("-----> Allocator speed: bench/alloc.c, median of %d runs, Mops/s (higher is faster)" % a.runs_alloc)
    exe = os.path.join(a.tmp, "alloc")
    subprocess.run(["gcc", "-O2", "-pthread", "-o", exe, os.path.join(HERE, "alloc.c")], check=True)
    n = os.cpu_count() or 2
    r = {"libs": {k: (v and {"path": v, "version": lib_version(v)}) for k, v in libs.items()}, "by_threads": {}, "load_before": loadavg()}
    for threads in (n, 4 * n):
        ops = str(a.alloc_ops // threads)
        got = {k: [] for k in libs}
        for _ in range(a.runs_alloc):  # rounds, so drift hits every allocator alike
            for k, lib in libs.items():
                env = {"PATH": CLEAN_PATH}
                if lib:
                    env["LD_PRELOAD"] = lib
                out = subprocess.run([exe, str(threads), ops], env=env, capture_output=True, text=True, check=True).stdout
                got[k].append(float(re.search(r"mops=([0-9.]+)", out).group(1)))
        row = {k: summary(v) for k, v in got.items()}
        row["packaged_vs_upstream"] = row["packaged"]["median"] / row["upstream"]["median"]
        row["packaged_vs_debian"] = row["packaged"]["median"] / row["debian"]["median"]
        r["by_threads"][str(threads)] = row
        say("       %2d threads: glibc %.1f, packaged %.1f, upstream defaults %.1f, Debian %.1f; packaged/upstream %.3f, packaged/Debian %.3f"
            % (threads, row["glibc"]["median"], row["packaged"]["median"], row["upstream"]["median"],
               row["debian"]["median"], row["packaged_vs_upstream"], row["packaged_vs_debian"]))
    r["load_after"] = loadavg()
    return r


# --- activation overhead ------------------------------------------------------------


def hyperfine(a, env, *commands):
    out = os.path.join(a.tmp, "hyperfine.json")
    subprocess.run(["hyperfine", "-N", "--warmup", "20", "--runs", str(a.runs_activate), "--export-json", out, *commands],
                   env=env, check=True, capture_output=True)
    with open(out) as f:
        return [summary(res["times"]) for res in json.load(f)["results"]]


def activation(a, app):
    say("-----> Activation overhead (hyperfine, %d runs each)" % a.runs_activate)
    env = {"PATH": CLEAN_PATH, "HOME": app, "JEMALLOC_ENABLED": "true"}
    lib = app + "/.jemalloc/lib/libjemalloc.so"
    r = {"load_before": loadavg()}
    true, wrapped, floor = hyperfine(a, env, "/bin/true", "%s/.jemalloc/bin/jemalloc.sh /bin/true" % app, "/bin/sh -c 'exec /bin/true'")
    preloaded, = hyperfine(a, {**env, "LD_PRELOAD": lib}, "/bin/true")
    plain, profiled = hyperfine(a, env, "/bin/sh -c :", "/bin/sh -c '. %s/.profile.d/jemalloc.sh'" % app)
    r.update({"true": true, "jemalloc_sh_true": wrapped, "sh_exec_true": floor, "true_preloaded": preloaded,
              "sh": plain, "sh_with_profile": profiled,
              "wrapper_extra_s": wrapped["median"] - true["median"], "sh_exec_extra_s": floor["median"] - true["median"],
              "preload_extra_s": preloaded["median"] - true["median"], "profile_extra_s": profiled["median"] - plain["median"],
              "load_after": loadavg()})
    say("       jemalloc.sh true %.2f ms against true %.2f ms (+%.2f ms; target under 1 ms: %s)"
        % (wrapped["median"] * 1e3, true["median"] * 1e3, r["wrapper_extra_s"] * 1e3, "met" if r["wrapper_extra_s"] < 1e-3 else "missed"))
    say("       for scale: an sh wrapper that execs (sh -c 'exec true'; jemalloc.sh is a static program now) +%.2f ms,"
        " jemalloc loaded into true (LD_PRELOAD) +%.2f ms"
        % (r["sh_exec_extra_s"] * 1e3, r["preload_extra_s"] * 1e3))
    say("       sh with .profile.d/jemalloc.sh %.2f ms against sh %.2f ms (+%.2f ms)"
        % (profiled["median"] * 1e3, plain["median"] * 1e3, r["profile_extra_s"] * 1e3))
    return r


# --- memory of real apps ------------------------------------------------------------


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port, proc, seconds=30):
    end = time.time() + seconds
    while time.time() < end:
        if proc.poll() is not None:
            sys.exit("bench: the server exited (%d) before it listened: %s" % (proc.returncode, proc.stderr.read()[-2000:]))
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit("bench: nothing listened on 127.0.0.1:%d" % port)


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        return int(re.search(r"^VmRSS:\s+(\d+)", f.read(), re.M).group(1))


class Sampler:
    """RSS of PID every EVERY seconds, in a thread, from when it starts."""

    def __init__(self, pid, every):
        self.pid, self.every, self.samples, self.stop = pid, every, [], threading.Event()
        self.t0 = time.time()
        self.thread = threading.Thread(target=self.run)
        self.thread.start()

    def now(self):
        return round(time.time() - self.t0, 2)

    def run(self):
        while not self.stop.is_set():
            try:
                self.samples.append((self.now(), rss_kib(self.pid)))
            except (OSError, AttributeError):
                return
            self.stop.wait(self.every)

    def end(self):
        self.stop.set()
        self.thread.join()
        return self.samples


def mapped_jemalloc(pid):
    with open("/proc/%d/maps" % pid) as f:
        return "libjemalloc" in f.read()


def ms(text):
    """wrk's latency ('12.34ms', '1.20s', '850.00us') in milliseconds."""
    m = re.match(r"([0-9.]+)(us|ms|s)$", text)
    return float(m.group(1)) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[m.group(2)]


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def run_server(a, argv, env, cwd, keep_stderr=False):
    """KEEP_STDERR: the result has what the server wrote to stderr."""
    port = free_port()
    argv = [x.replace("PORT", str(port)) for x in argv]
    proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_port(port, proc)
        on_jemalloc = mapped_jemalloc(proc.pid)
        s = Sampler(proc.pid, a.sample_every)
        wrk = subprocess.run(["wrk", "-t1", "-c16", "-d%ds" % a.load_seconds, "--latency", "http://127.0.0.1:%d/" % port],
                             capture_output=True, text=True, check=True).stdout
        load_end = s.now()
        time.sleep(a.idle_seconds)
        samples = s.end()
        res = {"on_jemalloc": on_jemalloc, "throughput": float(re.search(r"Requests/sec:\s+([0-9.]+)", wrk).group(1)),
               "unit": "requests/s", "count": int(re.search(r"(\d+) requests in", wrk).group(1)),
               "p99_ms": ms(re.search(r"^\s+99%\s+(\S+)", wrk, re.M).group(1)), "load_end_s": load_end, "samples": samples}
    finally:
        stop(proc)
    if keep_stderr:
        res["stderr"] = proc.stderr.read()
    return res


def run_jobs(a, argv, env, cwd):
    argv = argv + [str(a.load_seconds), str(a.idle_seconds)]
    proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        s = Sampler(proc.pid, a.sample_every)
        line = proc.stdout.readline()
        load_end = s.now()
        if not line:
            sys.exit("bench: the job runner printed nothing: %s" % proc.stderr.read()[-2000:])
        on_jemalloc = mapped_jemalloc(proc.pid)
        proc.wait()
        samples = s.end()
        got = json.loads(line)
        return {"on_jemalloc": on_jemalloc, "throughput": got["jobs_per_s"], "unit": "jobs/s", "count": got["jobs"],
                "p99_ms": got["p99_ms"], "load_end_s": load_end, "samples": samples}
    finally:
        if proc.poll() is None:
            stop(proc)


WORKLOADS = [
    ("Ruby web: Puma, 5 to 16 threads", run_server,
     ["puma", "-q", "-t", "5:16", "-e", "production", "-b", "tcp://127.0.0.1:PORT", "config.ru"]),
    ("Ruby jobs: Sidekiq-like, 10 threads", run_jobs, ["ruby", "jobs.rb", "10"]),
    ("Python web: ThreadingHTTPServer", run_server, ["/usr/bin/python3", "server.py", "PORT"]),
]


def rss_figures(r, cycle):
    """Peak over the whole run. Plateau: the median over the last whole
    cycles of the apps' cache (CYCLE seconds; two, or a quarter of the load
    when that is more), so it never depends on where in a cycle the load
    ended. Drift: the median of the last cycle against the one before it (a
    figure near 0 says RSS has levelled off)."""
    end = r["load_end_s"]
    load = [(t, k) for t, k in r["samples"] if t <= end] or r["samples"]
    n = max(2, int(end / cycle / 4))

    def window(first, last):
        got = [k for t, k in load if end - first * cycle < t <= end - last * cycle]
        return statistics.median(got) if got else statistics.median(k for _, k in load)

    r["peak_kib"] = max(k for _, k in r["samples"])
    r["plateau_kib"] = window(n, 0)
    r["drift"] = window(1, 0) / window(2, 1) - 1
    r["idle_end_kib"] = r["samples"][-1][1]


def memory_configs(a, wname):
    """(name, role, library or None, extra environment) for one workload."""
    libs, newest = a.libs, a.newest
    rows = [("glibc", "baseline", None, {}), ("glibc, MALLOC_ARENA_MAX=2", "baseline", None, {"MALLOC_ARENA_MAX": "2"})]
    search = SEARCH
    if a.quick:
        search = [s for s in SEARCH if s[0] in QUICK_SEARCH]
    elif a.long:
        search = [s for s in SEARCH if s[0] in LONG_SEARCH]
    if wname.startswith("Python") and not a.long:
        search = [s for s in SEARCH if s[0] in PYTHON_SEARCH]
    for label, conf in search:
        rows.append(("jemalloc %s, %s" % (newest, label), "search", libs[newest], {"MALLOC_CONF": conf} if conf else {}))
    rows.append(("Debian libjemalloc2 %s, %s" % (a.debian_version, RECOMMENDED_LABEL), "debian", a.debian_lib, {"MALLOC_CONF": RECOMMENDED}))
    if wname.startswith("Ruby") and not a.long:
        for v in a.versions:
            if v != newest:
                rows.append(("jemalloc %s, best" % v, "version", libs[v], {"MALLOC_CONF": best_conf(v)}))
    return rows


def memory(a):
    r = {"recommended": RECOMMENDED, "recommended_label": RECOMMENDED_LABEL, "cycle_s": a.cycle, "search": dict(SEARCH), "best": {v: best_conf(v) for v in a.versions},
         "load": "%d s of load (wrk -t1 -c16 for the servers), then %d s idle" % (a.load_seconds, a.idle_seconds),
         "workloads": {}, "load_before": loadavg()}
    say("-----> Memory: %s; RSS of the app's process every %.1f s (load %.2f)" % (r["load"], a.sample_every, r["load_before"]))
    for wname, runner, argv in WORKLOADS:
        rows = {}
        for cname, role, lib, extra in memory_configs(a, wname):
            env = {"PATH": CLEAN_PATH, "HOME": a.tmp, "LANG": "C.UTF-8", "BENCH_CYCLE_S": str(a.cycle), **extra}
            if lib:
                env["LD_PRELOAD"] = lib
            res = runner(a, argv, env, os.path.join(HERE, "app"))
            if res["on_jemalloc"] != bool(lib):
                sys.exit("bench: %s / %s: jemalloc %s mapped, not as configured" % (wname, cname, "is" if res["on_jemalloc"] else "is not"))
            res.update({"role": role, "env": extra, "library": lib})
            rss_figures(res, a.cycle)
            rows[cname] = res
            say("       %-36s %-44s peak %4.0f MiB, plateau %4.0f MiB (drift %+.0f%%), idle %4.0f MiB, %7.1f %s, p99 %.1f ms"
                % (wname[:36], cname, res["peak_kib"] / 1024, res["plateau_kib"] / 1024, res["drift"] * 100,
                   res["idle_end_kib"] / 1024, res["throughput"], res["unit"], res["p99_ms"]))
        base = rows["glibc, MALLOC_ARENA_MAX=2"]
        for res in rows.values():
            res["vs_arena_max_2"] = {"peak": res["peak_kib"] / base["peak_kib"], "plateau": res["plateau_kib"] / base["plateau_kib"],
                                     "throughput": res["throughput"] / base["throughput"]}
            res["goal"] = res["vs_arena_max_2"]["plateau"] <= 0.85 and res["vs_arena_max_2"]["throughput"] >= 1.0
        rows["jemalloc %s, %s" % (a.newest, RECOMMENDED_LABEL)]["recommended"] = True
        rec = rows["jemalloc %s, %s" % (a.newest, RECOMMENDED_LABEL)]["vs_arena_max_2"]
        met = [c for c, res in rows.items() if res["goal"]]
        say("       %s: recommended (%s) against MALLOC_ARENA_MAX=2: peak %.2fx, plateau %.2fx, throughput %.2fx; "
            "at or below 0.85x plateau at 1.0x throughput or better: %s"
            % (wname, RECOMMENDED_LABEL, rec["peak"], rec["plateau"], rec["throughput"], ", ".join(met) or "none"))
        r["workloads"][wname] = rows
    r["load_after"] = loadavg()
    return r


def metrics_cost(a):
    """The JEMALLOC_METRICS lines on the Puma workload (the first of
    WORKLOADS), with the recommended setting on the newest jemalloc: off
    (jemalloc alone), on every 20 s (the default) and on every 1 s, one after
    the other, ROUNDS times, so that the machine's drift falls on all three
    alike. Medians of throughput, RSS after boot (the first sample) and the
    plateau; each against off. A run that lasted two intervals with the
    lines on and wrote none, or one off that wrote one, stops the bench."""
    wname, runner, argv = WORKLOADS[0]
    lib = a.libs[a.newest]
    both = lib + ":" + os.path.join(os.path.dirname(lib), "libjemalloc-metrics.so")
    configs = [("off", {"LD_PRELOAD": lib}),
               ("on, every 20 s", {"LD_PRELOAD": both, "JEMALLOC_METRICS": "true"}),
               ("on, every 1 s", {"LD_PRELOAD": both, "JEMALLOC_METRICS": "true", "JEMALLOC_METRICS_INTERVAL": "1"})]
    rounds = 1 if a.quick else 3
    r = {"workload": wname, "malloc_conf": RECOMMENDED, "version": a.newest, "rounds": rounds, "load_before": loadavg(), "configs": {}}
    say("-----> Metrics lines: %s, jemalloc %s, %s; %d round(s) of off, every 20 s, every 1 s (load %.2f)"
        % (wname, a.newest, RECOMMENDED_LABEL, rounds, r["load_before"]))
    runs = {c: [] for c, _ in configs}
    for _ in range(rounds):
        for cname, extra in configs:
            env = {"PATH": CLEAN_PATH, "HOME": a.tmp, "LANG": "C.UTF-8", "BENCH_CYCLE_S": str(a.cycle), "DYNO": "web.1",
                   "MALLOC_CONF": RECOMMENDED, **extra}
            res = runner(a, argv, env, os.path.join(HERE, "app"), keep_stderr=True)
            lines = len(re.findall(r"^source=web\.1 pid=\d+ sample#jemalloc\.allocated=", res.pop("stderr"), re.M))
            every = int(extra.get("JEMALLOC_METRICS_INTERVAL", "20"))
            if not res["on_jemalloc"] or ("JEMALLOC_METRICS" not in extra and lines > 0) or (
                    "JEMALLOC_METRICS" in extra and lines == 0 and a.load_seconds + a.idle_seconds >= 2 * every):
                sys.exit("bench: metrics / %s: jemalloc %smapped, %d metrics lines" % (cname, "" if res["on_jemalloc"] else "not ", lines))
            rss_figures(res, a.cycle)
            runs[cname].append({"throughput": res["throughput"], "boot_kib": res["samples"][0][1], "plateau_kib": res["plateau_kib"],
                                "peak_kib": res["peak_kib"], "p99_ms": res["p99_ms"], "lines": lines})
            say("       %-16s %7.1f requests/s, RSS after boot %6.1f MiB, plateau %6.1f MiB, %d lines"
                % (cname, res["throughput"], res["samples"][0][1] / 1024, res["plateau_kib"] / 1024, lines))
    for cname, got in runs.items():
        r["configs"][cname] = {k: statistics.median(x[k] for x in got) for k in ("throughput", "boot_kib", "plateau_kib", "peak_kib", "p99_ms", "lines")}
        r["configs"][cname]["runs"] = got
    off = r["configs"]["off"]
    for cname, c in r["configs"].items():
        c["throughput_vs_off"] = c["throughput"] / off["throughput"] - 1
        c["boot_kib_vs_off"] = c["boot_kib"] - off["boot_kib"]
        c["plateau_kib_vs_off"] = c["plateau_kib"] - off["plateau_kib"]
    for cname in list(r["configs"])[1:]:
        c = r["configs"][cname]
        say("       %s against off (medians): throughput %+.1f%%, RSS after boot %+.0f KiB, plateau %+.0f KiB (targets: under 1%%, under 1 MB)"
            % (cname, c["throughput_vs_off"] * 100, c["boot_kib_vs_off"], c["plateau_kib_vs_off"]))
    r["load_after"] = loadavg()
    return r


# --- report -----------------------------------------------------------------------


def machine(a):
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        m = re.search(r"^model name\s*:\s*(.+)$", f.read(), re.M)
        if m:
            cpu = m.group(1)
    with open("/proc/meminfo") as f:
        mem = int(re.search(r"MemTotal:\s+(\d+)", f.read()).group(1))
    with open("/etc/os-release") as f:
        osname = re.search(r'^PRETTY_NAME="?([^"\n]+)', f.read(), re.M).group(1)

    def ver(argv, pattern=r"(\S+)"):
        p = subprocess.run(argv, capture_output=True, text=True)
        m = re.search(pattern, p.stdout + p.stderr)
        return m.group(1) if m else "?"

    return {"date": datetime.date.today().isoformat(), "cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(mem / 2**20),
            "os": osname, "kernel": platform.release(), "arch": platform.machine(), "load_at_start": loadavg(),
            "versions": {"package": a.package, "ruby": ver(["ruby", "-v"], r"ruby (\S+)"), "puma": ver(["puma", "--version"], r"version (\S+)"),
                         "python": platform.python_version(), "wrk": ver(["wrk", "-v"], r"wrk (\S+)"),
                         "hyperfine": ver(["hyperfine", "--version"], r"hyperfine (\S+)")}}


def span(s):
    return "%s (%s to %s)" % (fmt_s(s["median"]), fmt_s(s["min"]), fmt_s(s["max"]))


def tables(res):
    m, i, al, ac, me = res["machine"], res["install"], res["alloc"], res["activate"], res["memory"]
    q, p = i["ratios"], i["warm_parts"]
    L = ["Measured on %s: %s, %d cores, %d GiB, %s (%s); package %s. Ratios are against the alternative measured in the same run."
         " Load average (1 min) when each part started and ended: install %.2f/%.2f, memory %.2f/%.2f, allocator speed %.2f/%.2f,"
         " activation %.2f/%.2f."
         % (m["date"], m["cpu"], m["cores"], m["memory_gib"], m["os"], m["arch"], m["versions"]["package"],
            i["load_before"], i["load_after"], me["load_before"], me["load_after"], al["load_before"], al["load_after"],
            ac["load_before"], ac["load_after"])]
    L += ["", "**Install time** (jemalloc %s, in the heroku-24 build root; median, min to max; bench/timeit.c times fork, exec and exit):"
          % res["version"], "",
          "| build | this buildpack, package | this buildpack, source fallback | compile at build time | package / fallback against it |",
          "|---|---|---|---|---|",
          "| cold (empty cache) | %s | %s | %s: configure, make | %.0fx / %.2fx faster (target >= 100x) |"
          % (span(i["buildpack_cold"]), span(i["fallback_cold"]), span(i["source_cold"]), q["cold_speedup"], q["fallback_cold_speedup"]),
          "| warm (cache kept) | %s | %s | %s: `bash -c 'cp -a CACHE/vendor APP/'` | %.2fx / %.2fx the time (target <= 1.5x) |"
          % (span(i["buildpack_warm"]), span(i["fallback_warm"]), span(i["source_warm"]), q["warm_ratio"], q["fallback_warm_ratio"]),
          "", "The package columns run the release tarball (`make package`), whose prebuilt program a cold build copies. From a git"
          " checkout the stack's cc compiles the program first: cold %s, %.0fx faster than compiling jemalloc."
          % (span(i["buildpack_cold_git"]), q["cold_git_speedup"]),
          "", "A warm build in parts (medians): `sh -c :` %s, `bash -c :` %s, the shim's program check (sourcing `bin/program`) %s,"
          " the program alone %s." % tuple(fmt_s(p[k]["median"]) for k in ("sh_start", "bash_start", "shim_key", "program"))]
    L += ["", "**Memory** (%s; RSS of the app's process; the apps' caches grow and shrink over %d s cycles; plateau: median over the"
          " last whole cycles of the load (at least two), drift: the last cycle against the one before; ratios against glibc with"
          " `MALLOC_ARENA_MAX=2` in the same run; **bold**: at or below 0.85x its plateau at 1.0x its throughput or better):"
          % (me["load"], me["cycle_s"])]
    for w, rows in me["workloads"].items():
        L += ["", "#### %s" % w, "", "| allocator | MALLOC_CONF | peak RSS | plateau RSS (drift) | after idle | throughput | p99 |",
              "|---|---|---|---|---|---|---|"]
        for c, r in rows.items():
            v = r["vs_arena_max_2"]
            conf = r["env"].get("MALLOC_CONF") or ("`MALLOC_ARENA_MAX=2`" if "MALLOC_ARENA_MAX" in r["env"] else "")
            conf = "`%s`" % conf if conf and not conf.startswith("`") else conf
            name = c + (" (recommended)" if r.get("recommended") else "")
            name = "**%s**" % name if r["goal"] else name
            L.append("| %s | %s | %.0f MiB (%.2fx) | %.0f MiB (%.2fx) (%+.0f%%) | %.0f MiB | %.0f %s (%.2fx) | %.1f ms |" % (
                name, conf, r["peak_kib"] / 1024, v["peak"], r["plateau_kib"] / 1024, v["plateau"], r["drift"] * 100,
                r["idle_end_kib"] / 1024, r["throughput"], r["unit"], v["throughput"], r["p99_ms"]))
    L += ["", "**Allocator speed** (bench/alloc.c, millions of malloc/free pairs per second, median of %d):"
          % al["by_threads"][next(iter(al["by_threads"]))]["glibc"]["runs"], "",
          "| threads | glibc | packaged | upstream defaults | Debian libjemalloc2 | packaged / upstream | packaged / Debian |", "|---|---|---|---|---|---|---|"]
    for t, row in al["by_threads"].items():
        L.append("| %s | %.1f | %.1f | %.1f | %.1f | %.3f | %.3f |" % (t, row["glibc"]["median"], row["packaged"]["median"], row["upstream"]["median"],
                                                                   row["debian"]["median"], row["packaged_vs_upstream"], row["packaged_vs_debian"]))
    L += ["", "**Activation overhead** (hyperfine, median; target for `jemalloc.sh`: under 1 ms):", "", "| command | time | extra |", "|---|---|---|",
          "| `true` | %.2f ms | |" % (ac["true"]["median"] * 1e3),
          "| `jemalloc.sh true` | %.2f ms | +%.2f ms |" % (ac["jemalloc_sh_true"]["median"] * 1e3, ac["wrapper_extra_s"] * 1e3),
          "| `sh -c 'exec true'` (an sh wrapper; `jemalloc.sh` is a static program) | %.2f ms | +%.2f ms |" % (ac["sh_exec_true"]["median"] * 1e3, ac["sh_exec_extra_s"] * 1e3),
          "| `true` with jemalloc in `LD_PRELOAD` | %.2f ms | +%.2f ms |" % (ac["true_preloaded"]["median"] * 1e3, ac["preload_extra_s"] * 1e3),
          "| `sh -c :` | %.2f ms | |" % (ac["sh"]["median"] * 1e3),
          "| `sh` sourcing `.profile.d/jemalloc.sh` | %.2f ms | +%.2f ms |" % (ac["sh_with_profile"]["median"] * 1e3, ac["profile_extra_s"] * 1e3)]
    if "metrics" in res:
        mt = res["metrics"]
        L += ["", "**Metrics lines** (`JEMALLOC_METRICS`; %s, jemalloc %s with `%s`; median of %d rounds, load average %.2f/%.2f;"
              " targets: under 1%% throughput, under 1 MB RSS):" % (mt["workload"], mt["version"], mt["malloc_conf"], mt["rounds"],
                                                                   mt["load_before"], mt["load_after"]), "",
              "| lines | throughput | RSS after boot | plateau RSS | lines written |", "|---|---|---|---|---|"]
        for c, v in mt["configs"].items():
            L.append("| %s | %.0f requests/s (%+.1f%%) | %.1f MiB (%+.0f KiB) | %.1f MiB (%+.0f KiB) | %d |" % (
                c, v["throughput"], v["throughput_vs_off"] * 100, v["boot_kib"] / 1024, v["boot_kib_vs_off"],
                v["plateau_kib"] / 1024, v["plateau_kib_vs_off"], v["lines"]))
    return "\n".join(L) + "\n"


def plot(res, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = res["memory"]["workloads"]
    fig, axes = plt.subplots(2, len(rows), figsize=(6.5 * len(rows), 9), dpi=90, squeeze=False)
    for col, (w, configs) in enumerate(rows.items()):
        # Top: glibc, the search on the newest jemalloc; bottom: glibc with
        # MALLOC_ARENA_MAX=2, recommended, Debian's and the older versions.
        for row, roles in ((0, ("baseline", "search")), (1, ("baseline", "debian", "version"))):
            ax = axes[row][col]
            for c, r in configs.items():
                if r["role"] not in roles or (row == 1 and r["role"] == "baseline" and "ARENA" not in c):
                    continue
                strong = r["role"] == "baseline" or r.get("recommended")
                ax.plot([s[0] for s in r["samples"]], [s[1] / 1024 for s in r["samples"]], linewidth=2 if strong else 1,
                        label="%s (%.0f %s)" % (c, r["throughput"], r["unit"]))
            if row == 1:
                rec = next((r for r in configs.values() if r.get("recommended")), None)
                if rec:
                    ax.plot([s[0] for s in rec["samples"]], [s[1] / 1024 for s in rec["samples"]], linewidth=2, color="black",
                            label="newest jemalloc, %s (%.0f %s)" % (RECOMMENDED_LABEL, rec["throughput"], rec["unit"]))
            ax.axvline(next(iter(configs.values()))["load_end_s"], color="grey", linestyle=":", linewidth=1)
            ax.set_title(w + (": MALLOC_CONF search" if row == 0 else ": versions, Debian's"), fontsize=10)
            ax.set_xlabel("seconds (load, then idle after the dotted line)")
            ax.set_ylabel("RSS, MiB")
            ax.set_ylim(bottom=0)
            ax.grid(alpha=0.3)
            ax.legend(fontsize=6, loc="lower right")
    m = res["machine"]
    fig.suptitle("RSS over time under load (%s, %d cores, %s)" % (m["date"], m["cores"], m["os"]), fontsize=10)
    fig.tight_layout()
    fig.savefig(path)


def benchmarks_md(res):
    """The whole of benchmarks.md, from the record."""
    return ("# Benchmarks\n\nMade by `make bench` (bench/bench.py) from benchmarks.json.\n\n" + tables(res)
            + "\n![RSS over time](benchmarks-rss.png)\n")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    for opt in ("top", "buildpack", "root", "deb", "apt-url", "key", "tarball", "version", "package", "debian-lib", "out",
                "src-url", "closed-port"):
        p.add_argument("--" + opt, required=True)
    p.add_argument("--lib", action="append", default=[], metavar="VERSION=DEB", help="a package of another version, for the memory tables")
    p.add_argument("--quick", action="store_true", help="few runs, short loads: checks the bench works, measures nothing")
    p.add_argument("--long", action="store_true", help="20 minutes of load per setting, on the main settings only (about 5 hours)")
    p.add_argument("--only", metavar="PARTS", help="comma-separated parts (install, alloc, activate, memory, metrics): prints their figures, writes nothing")
    a = p.parse_args()
    parts = PARTS if a.only is None else a.only.split(",")
    if not set(parts) <= set(PARTS):
        p.error("--only takes %s, not %s" % (", ".join(PARTS), a.only))
    if ("alloc" in parts or "activate" in parts) and "install" not in parts:
        p.error("--only: alloc and activate measure what install builds; add install")
    quick = a.quick
    a.runs_cold, a.runs_warm, a.runs_src = (2, 3, 1) if quick else (5, 15, 2)
    a.runs_alloc, a.alloc_ops, a.runs_activate = (2, 200_000, 20) if quick else (5, 8_000_000, 300)
    a.load_seconds, a.idle_seconds, a.sample_every = (6, 2, 0.5) if quick else (1200, 60, 2) if a.long else (60, 10, 1)
    a.cycle = 20
    a.tmp = tempfile.mkdtemp(prefix="bench.")
    res = {"machine": machine(a), "version": a.version, "quick": quick, "long": a.long}
    a.libs = {}
    for v, deb in [(a.version, a.deb)] + [x.split("=", 1) for x in a.lib]:
        d = os.path.join(a.tmp, "pkg-" + v)
        subprocess.run(["dpkg-deb", "-x", deb, d], check=True)
        a.libs[v] = os.path.join(d, "app/.jemalloc/lib/libjemalloc.so")
    a.versions = sorted(a.libs, key=lambda v: [int(x) for x in v.split(".")])
    a.newest = a.versions[-1]
    a.debian_version = lib_version(a.debian_lib)
    if "install" in parts:
        res["install"] = install_time(a, Root(a.root, compile_timeit(a)))
    if "alloc" in parts:
        res["alloc"] = alloc_speed(a, {"glibc": None, "packaged": a.libs[a.version], "upstream": res["install"]["upstream_lib"], "debian": a.debian_lib})
    if "activate" in parts:
        res["activate"] = activation(a, res["install"]["app"])
    if "memory" in parts:
        res["memory"] = memory(a)
        res["memory"]["versions"] = {v: lib_version(lib) for v, lib in a.libs.items()}
    if "metrics" in parts:
        res["metrics"] = metrics_cost(a)
    if a.only is not None:
        shutil.rmtree(a.tmp, ignore_errors=True)
        say("-----> --only %s: figures printed above, nothing written" % a.only)
        return
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "benchmarks.json"), "w") as f:
        json.dump(res, f, indent=1)
    with open(os.path.join(a.out, "benchmarks.md"), "w") as f:
        f.write(benchmarks_md(res))
    plot(res, os.path.join(a.out, "benchmarks-rss.png"))
    shutil.rmtree(a.tmp, ignore_errors=True)
    say("-----> Wrote %s/benchmarks.json, benchmarks.md, benchmarks-rss.png" % a.out)


def compile_timeit(a):
    exe = os.path.join(a.tmp, "timeit")
    subprocess.run(["gcc", "-O2", "-Wall", "-Wextra", "-Werror", "-o", exe, os.path.join(HERE, "timeit.c")], check=True)
    return exe


if __name__ == "__main__":
    main()
