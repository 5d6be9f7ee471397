"""make bench: the project's claims measured against what users would do
instead, in one run on one machine (bench/run prepares what this needs).

  install  bin/compile cold (empty cache, repository on 127.0.0.1) and warm
           (exact version pinned, no network), against compiling the same
           jemalloc from its release tarball at build time (configure, make
           build_lib_shared, install) and, warm, copying the cached result,
           as compile-from-source buildpacks do; in the stack's build root.
  alloc    bench/alloc.c on glibc, on the packaged library, on jemalloc
           built from the same source with upstream's default flags, and on
           Debian's libjemalloc2.
  activate jemalloc.sh true against true; a shell that sources the
           .profile.d script against one that does not (hyperfine).
  memory   a multithreaded Puma app and a threaded Python server under wrk:
           RSS over time and requests/s for glibc, glibc with
           MALLOC_ARENA_MAX=2, jemalloc, jemalloc with RECOMMENDED, and
           jemalloc with AT_ONCE (the trade-off).

Writes OUT/benchmarks.json (machine, versions, every figure, ratios),
OUT/benchmarks.md (the tables), OUT/benchmarks-rss.png (the plot) and the
README's block between <!-- bench:start --> and <!-- bench:end -->.
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

# The MALLOC_CONF the README recommends; chosen from this benchmark's data
# (see the README's memory table for the trade-off).
RECOMMENDED = "narenas:2,background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0"
# The same, returning freed pages at once: the trade-off the README states.
AT_ONCE = "narenas:2,background_thread:true,dirty_decay_ms:0,muzzy_decay_ms:0"
HERE = os.path.dirname(os.path.abspath(__file__))
CLEAN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def say(line=""):
    print(line, flush=True)


def summary(xs):
    """Median and spread of a list of seconds (or any figures)."""
    return {"runs": len(xs), "median": statistics.median(xs), "min": min(xs), "max": max(xs), "all": xs}


def fmt_s(x):
    return "%.0f ms" % (x * 1000) if x < 1 else "%.1f s" % x


# --- install time -----------------------------------------------------------------


class Root:
    """The stack's build root; W is the bench's directory inside it."""

    def __init__(self, path):
        self.path = path
        self.w = "/tmp/bench"

    def host(self, inside):
        return self.path + inside

    def run(self, argv, check=True):
        env = ["env", "-i", "PATH=" + CLEAN_PATH, "HOME=/root", "LC_ALL=C", "STACK=heroku-24"]
        p = subprocess.run(["chroot", self.path] + env + argv, capture_output=True, text=True)
        if check and p.returncode != 0:
            sys.exit("bench: %s failed in %s (exit %d):\n%s%s" % (argv, self.path, p.returncode, p.stdout, p.stderr))
        return p

    def timed(self, argv):
        t = time.perf_counter()
        p = self.run(argv)
        return time.perf_counter() - t, p.stdout

    def fresh(self, *dirs):
        for d in dirs:
            shutil.rmtree(self.host(d), ignore_errors=True)
            os.makedirs(self.host(d))


def install_time(a, root):
    w = root.w
    shutil.rmtree(root.host(w), ignore_errors=True)
    os.makedirs(root.host(w + "/env"))
    for f in ("bin", "src"):
        shutil.copytree(os.path.join(a.top, f), root.host("%s/bp/%s" % (w, f)))
    shutil.copy(os.path.join(a.top, "repository.conf"), root.host(w + "/bp/"))
    with open(root.host(w + "/env/JEMALLOC_APT_URL"), "w") as f:
        f.write(a.apt_url + "\n")
    shutil.copy(a.key, root.host(w + "/env/JEMALLOC_APT_KEY"))
    with open(root.host(w + "/env/JEMALLOC_VERSION"), "w") as f:
        f.write(a.version + "\n")
    tarball = "jemalloc-%s.tar.bz2" % a.version
    shutil.copy(a.tarball, root.host("%s/%s" % (w, tarball)))
    compile_argv = [w + "/bp/bin/compile", w + "/app", w + "/cache", w + "/env"]
    r = {}

    say("-----> Install time: the buildpack against compiling jemalloc %s at build time" % a.version)
    cold = []
    for _ in range(a.runs_cold):
        root.fresh(w + "/app", w + "/cache")
        t, out = root.timed(compile_argv)
        if "Downloaded heroku-jemalloc_%s-" % a.version not in out:
            sys.exit("bench: a cold bin/compile did not download the package:\n" + out)
        cold.append(t)
    r["buildpack_cold"] = summary(cold)
    warm = []
    for _ in range(a.runs_warm):
        root.fresh(w + "/app")
        t, out = root.timed(compile_argv)
        if "from the cache" not in out:
            sys.exit("bench: a warm bin/compile did not use its cache:\n" + out)
        warm.append(t)
    r["buildpack_warm"] = summary(warm)

    build = ("set -e; cd %s/src; tar -xjf ../%s; cd jemalloc-%s; ./configure --prefix=%s/app/vendor/jemalloc >/dev/null; "
             'make -j"$(nproc)" build_lib_shared >/dev/null; make install_lib_shared >/dev/null') % (w, tarball, a.version, w)
    src = []
    for _ in range(a.runs_src):
        root.fresh(w + "/src", w + "/app")
        t, _ = root.timed(["bash", "-c", build])
        src.append(t)
    r["source_cold"] = summary(src)
    root.fresh(w + "/cache-src")
    root.run(["cp", "-a", w + "/app/vendor", w + "/cache-src/"])
    copy = []
    for _ in range(a.runs_warm):
        root.fresh(w + "/app")
        t, _ = root.timed(["cp", "-a", w + "/cache-src/vendor", w + "/app/"])
        copy.append(t)
    r["source_warm"] = summary(copy)
    r["cold_speedup"] = r["source_cold"]["median"] / r["buildpack_cold"]["median"]
    r["warm_difference_s"] = r["buildpack_warm"]["median"] - r["source_warm"]["median"]
    for k, what in (("buildpack_cold", "bin/compile, empty cache"), ("buildpack_warm", "bin/compile, warm cache"),
                    ("source_cold", "compile from source"), ("source_warm", "copy of the cached build")):
        s = r[k]
        say("       %-26s median %8s (%s to %s, %d runs)" % (what, fmt_s(s["median"]), fmt_s(s["min"]), fmt_s(s["max"]), s["runs"]))
    say("       cold: the buildpack is %.0fx faster; warm: %+.0f ms against a plain copy"
        % (r["cold_speedup"], r["warm_difference_s"] * 1000))
    # What the memory and allocator benchmarks preload: this build's tree.
    r["upstream_lib"] = root.host(w + "/cache-src/vendor/jemalloc/lib/libjemalloc.so.2")
    r["app"] = root.host(w + "/app-bp")
    root.fresh(w + "/app-bp")
    root.run([w + "/bp/bin/compile", w + "/app-bp", w + "/cache", w + "/env"])
    return r


# --- allocator speed ----------------------------------------------------------------


def lib_version(lib):
    """The jemalloc version a process with LIB preloaded reports."""
    env = {"PATH": CLEAN_PATH, "LD_PRELOAD": lib, "MALLOC_CONF": "stats_print:true"}
    p = subprocess.run(["/bin/true"], env=env, capture_output=True, text=True)
    m = re.search(r'^Version: "([^"]+)"', p.stderr, re.M)
    if not m:
        sys.exit("bench: %s did not load: %s" % (lib, p.stderr[:500]))
    return m.group(1)


def alloc_speed(a, libs):
    say("-----> Allocator speed: bench/alloc.c, median of %d runs, Mops/s (higher is faster)" % a.runs_alloc)
    exe = os.path.join(a.tmp, "alloc")
    subprocess.run(["gcc", "-O2", "-pthread", "-o", exe, os.path.join(HERE, "alloc.c")], check=True)
    n = os.cpu_count() or 2
    r = {"libs": {k: (v and {"path": v, "version": lib_version(v)}) for k, v in libs.items()}, "by_threads": {}}
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
    true, wrapped = hyperfine(a, env, "/bin/true", "%s/.jemalloc/bin/jemalloc.sh /bin/true" % app)
    plain, profiled = hyperfine(a, env, "/bin/sh -c :", "/bin/sh -c '. %s/.profile.d/jemalloc.sh'" % app)
    r = {"true": true, "jemalloc_sh_true": wrapped, "sh": plain, "sh_with_profile": profiled,
         "wrapper_extra_s": wrapped["median"] - true["median"], "profile_extra_s": profiled["median"] - plain["median"]}
    say("       jemalloc.sh true %.2f ms against true %.2f ms (+%.2f ms)"
        % (wrapped["median"] * 1e3, true["median"] * 1e3, r["wrapper_extra_s"] * 1e3))
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
            sys.exit("bench: the server exited (%d) before it listened" % proc.returncode)
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit("bench: nothing listened on 127.0.0.1:%d" % port)


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        return int(re.search(r"^VmRSS:\s+(\d+)", f.read(), re.M).group(1))


def one_server(a, argv, env, cwd):
    port = free_port()
    argv = [x.replace("PORT", str(port)) for x in argv]
    proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_port(port, proc)
        with open("/proc/%d/maps" % proc.pid) as f:
            on_jemalloc = "libjemalloc" in f.read()
        samples, stop, t0 = [], threading.Event(), time.time()

        def sample():
            while not stop.is_set():
                samples.append((round(time.time() - t0, 2), rss_kib(proc.pid)))
                stop.wait(a.sample_every)

        sampler = threading.Thread(target=sample)
        sampler.start()
        wrk = subprocess.run(["wrk", "-t1", "-c16", "-d%ds" % a.load_seconds, "--latency", "http://127.0.0.1:%d/" % port],
                             capture_output=True, text=True, check=True).stdout
        load_end = round(time.time() - t0, 2)
        at_load_end = rss_kib(proc.pid)
        time.sleep(a.idle_seconds)
        stop.set()
        sampler.join()
        rps = float(re.search(r"Requests/sec:\s+([0-9.]+)", wrk).group(1))
        requests = int(re.search(r"(\d+) requests in", wrk).group(1))
        p99 = re.search(r"^\s+99%\s+(\S+)", wrk, re.M).group(1)
        return {"on_jemalloc": on_jemalloc, "rps": rps, "requests": requests, "latency_p99": p99,
                "peak_kib": max(k for _, k in samples), "load_end_kib": at_load_end,
                "idle_end_kib": samples[-1][1], "load_end_s": load_end, "samples": samples}
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def memory(a, lib):
    configs = [("glibc", {}), ("glibc, MALLOC_ARENA_MAX=2", {"MALLOC_ARENA_MAX": "2"}),
               ("jemalloc", {"LD_PRELOAD": lib}), ("jemalloc, recommended MALLOC_CONF", {"LD_PRELOAD": lib, "MALLOC_CONF": RECOMMENDED}),
               ("jemalloc, decay at once", {"LD_PRELOAD": lib, "MALLOC_CONF": AT_ONCE})]
    workloads = [("Ruby, Puma 10 threads", ["puma", "-q", "-t", "10:10", "-e", "production", "-b", "tcp://127.0.0.1:PORT", "config.ru"]),
                 ("Python, ThreadingHTTPServer", ["/usr/bin/python3", "server.py", "PORT"])]
    r = {"recommended": RECOMMENDED, "at_once": AT_ONCE, "load": "wrk -t1 -c16 -d%ds" % a.load_seconds, "workloads": {}}
    say("-----> Memory: %s, then %d s idle; RSS of the server process" % (r["load"], a.idle_seconds))
    for name, argv in workloads:
        rows = {}
        for cname, extra in configs:
            env = {"PATH": CLEAN_PATH, "HOME": a.tmp, "LANG": "C.UTF-8", **extra}
            res = one_server(a, argv, env, os.path.join(HERE, "app"))
            if res["on_jemalloc"] != ("LD_PRELOAD" in extra):
                sys.exit("bench: %s / %s: jemalloc %s mapped, not as configured" % (name, cname, "is" if res["on_jemalloc"] else "is not"))
            rows[cname] = res
        base = rows["glibc"]
        for cname, res in rows.items():
            res["peak_vs_glibc"] = res["peak_kib"] / base["peak_kib"]
            res["rps_vs_glibc"] = res["rps"] / base["rps"]
            say("       %-28s %-34s peak %4.0f MiB (%.2fx), after idle %4.0f MiB, %6.1f req/s (%.2fx), %d requests"
                % (name, cname, res["peak_kib"] / 1024, res["peak_vs_glibc"], res["idle_end_kib"] / 1024, res["rps"],
                   res["rps_vs_glibc"], res["requests"]))
        r["workloads"][name] = rows
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
            "os": osname, "kernel": platform.release(), "arch": platform.machine(),
            "versions": {"package": a.package, "ruby": ver(["ruby", "-v"], r"ruby (\S+)"), "puma": ver(["puma", "--version"], r"version (\S+)"),
                         "python": platform.python_version(), "wrk": ver(["wrk", "-v"], r"wrk (\S+)"),
                         "hyperfine": ver(["hyperfine", "--version"], r"hyperfine (\S+)")}}


def tables(res):
    m, i, al, ac, me = res["machine"], res["install"], res["alloc"], res["activate"], res["memory"]
    L = []
    L.append("Measured on %s: %s, %d cores, %d GiB, %s (%s); package %s. Ratios are against the alternative measured in the same run."
             % (m["date"], m["cpu"], m["cores"], m["memory_gib"], m["os"], m["arch"], m["versions"]["package"]))
    L += ["", "**Install time** (jemalloc %s, in the heroku-24 build root; median, min to max):" % res["version"], "",
          "| build | this buildpack | compile from source | ratio |", "|---|---|---|---|",
          "| cold (empty cache) | %s (%s to %s) | %s (%s to %s) | %.0fx faster |" % (
              fmt_s(i["buildpack_cold"]["median"]), fmt_s(i["buildpack_cold"]["min"]), fmt_s(i["buildpack_cold"]["max"]),
              fmt_s(i["source_cold"]["median"]), fmt_s(i["source_cold"]["min"]), fmt_s(i["source_cold"]["max"]), i["cold_speedup"]),
          "| warm (cache kept) | %s (%s to %s) | %s (%s to %s), a copy | %+.0f ms |" % (
              fmt_s(i["buildpack_warm"]["median"]), fmt_s(i["buildpack_warm"]["min"]), fmt_s(i["buildpack_warm"]["max"]),
              fmt_s(i["source_warm"]["median"]), fmt_s(i["source_warm"]["min"]), fmt_s(i["source_warm"]["max"]),
              i["warm_difference_s"] * 1000)]
    L += ["", "**Memory** (%s; RSS of the server process; requests/s from wrk):" % me["load"], "",
          "| workload | allocator | peak RSS | RSS after idle | requests/s | p99 latency |", "|---|---|---|---|---|---|"]
    for w, rows in me["workloads"].items():
        for c, r in rows.items():
            L.append("| %s | %s | %.0f MiB (%.2fx) | %.0f MiB | %.0f (%.2fx) | %s |" % (
                w, c, r["peak_kib"] / 1024, r["peak_vs_glibc"], r["idle_end_kib"] / 1024, r["rps"], r["rps_vs_glibc"], r["latency_p99"]))
    L += ["", "`jemalloc, recommended MALLOC_CONF` is `MALLOC_CONF=%s`; `jemalloc, decay at once` is `MALLOC_CONF=%s`."
          % (me["recommended"], me["at_once"])]
    L += ["", "**Allocator speed** (bench/alloc.c, millions of malloc/free pairs per second, median of %d):" % al["by_threads"][next(iter(al["by_threads"]))]["glibc"]["runs"], "",
          "| threads | glibc | packaged | upstream defaults | Debian libjemalloc2 | packaged / upstream | packaged / Debian |", "|---|---|---|---|---|---|---|"]
    for t, row in al["by_threads"].items():
        L.append("| %s | %.1f | %.1f | %.1f | %.1f | %.3f | %.3f |" % (t, row["glibc"]["median"], row["packaged"]["median"], row["upstream"]["median"],
                                                                   row["debian"]["median"], row["packaged_vs_upstream"], row["packaged_vs_debian"]))
    L += ["", "**Activation overhead** (hyperfine, median):", "", "| command | time | extra |", "|---|---|---|",
          "| `true` | %.2f ms | |" % (ac["true"]["median"] * 1e3),
          "| `jemalloc.sh true` | %.2f ms | +%.2f ms |" % (ac["jemalloc_sh_true"]["median"] * 1e3, ac["wrapper_extra_s"] * 1e3),
          "| `sh -c :` | %.2f ms | |" % (ac["sh"]["median"] * 1e3),
          "| `sh` sourcing `.profile.d/jemalloc.sh` | %.2f ms | +%.2f ms |" % (ac["sh_with_profile"]["median"] * 1e3, ac["profile_extra_s"] * 1e3)]
    return "\n".join(L) + "\n"


def plot(res, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = res["memory"]["workloads"]
    fig, axes = plt.subplots(1, len(rows), figsize=(6 * len(rows), 4.2), dpi=100)
    for ax, (w, configs) in zip(axes, rows.items()):
        for c, r in configs.items():
            t = [s[0] for s in r["samples"]]
            ax.plot(t, [s[1] / 1024 for s in r["samples"]], label="%s (%.0f req/s)" % (c, r["rps"]))
        ax.axvline(next(iter(configs.values()))["load_end_s"], color="grey", linestyle=":", linewidth=1)
        ax.set_title(w)
        ax.set_xlabel("seconds (load, then idle after the dotted line)")
        ax.set_ylabel("RSS, MiB")
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="lower right")
    m = res["machine"]
    fig.suptitle("RSS over time under wrk load (%s, %d cores, %s)" % (m["date"], m["cores"], m["os"]), fontsize=10)
    fig.tight_layout()
    fig.savefig(path)


def readme_block(a, md):
    with open(a.readme) as f:
        text = f.read()
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    if start not in text or end not in text:
        sys.exit("bench: %s has no %s ... %s block" % (a.readme, start, end))
    block = "%s\n%s\n![RSS over time](docs/benchmarks-rss.png)\n%s" % (start, md, end)
    text = text[: text.index(start)] + block + text[text.index(end) + len(end):]
    with open(a.readme, "w") as f:
        f.write(text)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    for opt in ("top", "root", "deb", "apt-url", "key", "tarball", "version", "package", "debian-lib", "out", "readme"):
        p.add_argument("--" + opt, required=True)
    p.add_argument("--quick", action="store_true", help="few runs, short loads: checks the bench works, measures nothing")
    a = p.parse_args()
    quick = a.quick
    a.runs_cold, a.runs_warm, a.runs_src = (2, 3, 1) if quick else (5, 10, 3)
    a.runs_alloc, a.alloc_ops, a.runs_activate = (2, 200_000, 20) if quick else (7, 8_000_000, 300)
    a.load_seconds, a.idle_seconds, a.sample_every = (4, 2, 0.5) if quick else (60, 10, 0.5)
    a.tmp = tempfile.mkdtemp(prefix="bench.")
    res = {"machine": machine(a), "version": a.version, "quick": quick}
    lib_dir = os.path.join(a.tmp, "pkg")
    subprocess.run(["dpkg-deb", "-x", a.deb, lib_dir], check=True)
    lib = os.path.join(lib_dir, "app/.jemalloc/lib/libjemalloc.so")
    res["install"] = install_time(a, Root(a.root))
    res["alloc"] = alloc_speed(a, {"glibc": None, "packaged": lib, "upstream": res["install"]["upstream_lib"], "debian": a.debian_lib})
    res["activate"] = activation(a, res["install"]["app"])
    res["memory"] = memory(a, lib)
    os.makedirs(a.out, exist_ok=True)
    md = tables(res)
    with open(os.path.join(a.out, "benchmarks.json"), "w") as f:
        json.dump(res, f, indent=1)
    with open(os.path.join(a.out, "benchmarks.md"), "w") as f:
        f.write("# Benchmarks\n\nMade by `make bench` (bench/bench.py).\n\n" + md + "\n![RSS over time](benchmarks-rss.png)\n")
    plot(res, os.path.join(a.out, "benchmarks-rss.png"))
    if not quick:
        readme_block(a, md)
    shutil.rmtree(a.tmp, ignore_errors=True)
    say("-----> Wrote %s/benchmarks.json, benchmarks.md, benchmarks-rss.png%s" % (a.out, "" if quick else " and the README's block"))


if __name__ == "__main__":
    main()
