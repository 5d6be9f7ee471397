# shellcheck shell=bash
# shellcheck disable=SC2034,SC2154 # rc, out, err and FIXTURES are for the .test files; port and server come from scripts/lib.sh serve
# Test helpers: every check prints one line and records its result; tests/run
# prints the totals. Sourced by each tests/*.test file.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FIXTURES="$TOP/tests/fixtures"
# jemalloc's git repository, for the versions whose release tarballs this
# machine cannot reach: the bundle beside the repository (../shared), where
# there is one, unless JEMALLOC_GIT_URL already says where.
if [ -z "${JEMALLOC_GIT_URL:-}" ] && [ -f "$TOP/../shared/jemalloc.bundle" ]; then
	JEMALLOC_GIT_URL=$(cd "$TOP/../shared" && pwd)/jemalloc.bundle
	export JEMALLOC_GIT_URL
fi
: "${RESULTS:?tests/run sets RESULTS}"

pass() { printf 'ok   %s\n' "$1"; echo pass >>"$RESULTS"; }
skip() { printf 'skip %s: %s\n' "$1" "$2"; echo skip >>"$RESULTS"; }
fail() {
	printf 'FAIL %s\n' "$1"
	shift
	[ $# -eq 0 ] || printf '     | %s\n' "$@"
	echo fail >>"$RESULTS"
}

# run CMD...: runs CMD, keeping its stdout in $out, stderr in $err, status in $rc.
run() {
	local o e
	o=$(mktemp) e=$(mktemp)
	set +e
	"$@" >"$o" 2>"$e"
	rc=$?
	set -e
	out=$(cat "$o") err=$(cat "$e")
	rm -f "$o" "$e"
}

# expect NAME WANT GOT: the two strings are equal.
expect() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "want: $2" "got:  $3"; fi
}

# expect_text NAME WANT GOT: multi-line strings are equal; shows a diff.
expect_text() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		local d
		d=$(diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | head -n 30)
		fail "$1" "diff (- want, + got):" "$d"
	fi
}

# expect_rc NAME WANT: the last run exited WANT.
expect_rc() { expect "$1 (exit status)" "$2" "$rc"; }

# tree_sum DIR: one line that changes when anything under DIR does.
# Directories count by name (their mtime moves when a staging dir comes and goes).
tree_sum() { (cd "$1" && find . \( -type d -printf '%p/\n' \) -o -printf '%p %s %T@\n' | sort | sha256sum | cut -c1-16); }

# pool_versions POOL: the package versions of the amd64 .debs in a
# repository's pool/<stack> directory, oldest first.
pool_versions() {
	(cd "$1" && find . -name '*_amd64.deb' -printf '%f\n') | sed 's/^heroku-jemalloc_\(.*\)_amd64.deb$/\1/' | sort -V
}

# program_sources DEST: the program's sources (src/*.c *.h *.sh Makefile, what
# bin/program copies and src/progkey.c hashes), to build it in DEST.
program_sources() {
	mkdir -p "$1"
	cp "$TOP"/src/*.[ch] "$TOP"/src/*.sh "$TOP/src/Makefile" "$1/"
}

# status_on VERSION DIR: what jemalloc-status says in a shell that preloads
# jemalloc VERSION from the .jemalloc DIR (JEMALLOC_ENABLED=true, nothing else
# set), up to the process lines; then one for a process PID on it.
status_on() {
	printf '%s\n' "installed: jemalloc $1 in $2" "this shell: preloads jemalloc (JEMALLOC_ENABLED=true)" \
		"metrics lines: off (JEMALLOC_METRICS is not set)" "LD_PRELOAD: $2/lib/libjemalloc.so" \
		"JEMALLOC_ENABLED: true" "MALLOC_CONF: (unset: jemalloc's defaults)" "JEMALLOC_METRICS: (unset: off)" \
		"JEMALLOC_METRICS_INTERVAL: (unset: 20)" "processes:" \
		"  PID     sh               jemalloc $1: $2/lib/libjemalloc.so.2"
}

# source_server DIR: DIR laid out as jemalloc's release downloads
# (DIR/<version>/<file>), with the official 5.3.0 tarball: Debian bookworm's
# orig tarball is byte-identical to it (the same pinned SHA-256), fetched and
# checked by scripts/fetch-source.
source_server() {
	local tarball
	tarball=$("$TOP/scripts/fetch-source" 5.3.0 2>/dev/null | cut -d' ' -f1) || return 1
	mkdir -p "$1/5.3.0"
	cp "$tarball" "$1/5.3.0/jemalloc-5.3.0.tar.bz2"
}

# test_repository NAME: the packages tests/packages.test built, as a signed
# repository served on 127.0.0.1 (with the official 5.3.0 tarball beside it,
# under src/). Sets srv, port, url (the repository) and closed (a port
# nothing listens on); at exit, stops the server and unmounts what the test
# put in the array mounted.
test_repository() {
	export DIST="$TOP/build/test-dist"
	[ -d "$DIST/debs" ] || { fail "$1: no packages in $DIST/debs (tests/packages.test makes them)"; exit 0; }
	srv="$TOP/build/test-$1-srv"
	rm -rf "$srv"
	"$TOP/scripts/repo" "$DIST/debs" "$srv/apt" >/dev/null 2>&1
	source_server "$srv/src"
	serve "$srv" apt/heroku-jemalloc.asc
	mounted=()
	trap test_repository_done EXIT
	url="http://127.0.0.1:$port/apt"
	closed=$(free_port)
}
# offline CMD...: runs CMD while the test repository does not answer, at the
# same URL (the package cache is keyed by it): what CMD does, it does
# without the network.
offline() {
	kill "$server" 2>/dev/null
	wait "$server" 2>/dev/null || true
	local r=0
	"$@" || r=$?
	serve "$srv" apt/heroku-jemalloc.asc "$port" || return 1
	return "$r"
}

test_repository_done() {
	kill "$server" 2>/dev/null
	local m
	for m in "${mounted[@]}"; do umount "$m" 2>/dev/null; done
}

# release_tarball ROOT VERSION DIR: a stand-in for jemalloc VERSION's official
# release tarball (out of reach here), made the way upstream makes one: the
# release tag's tree (scripts/fetch-source's git origin, pinned by commit),
# configure from autoconf (run in the build root ROOT) and VERSION from
# `git describe`. Writes DIR/VERSION/jemalloc-VERSION.tar.bz2; prints its
# SHA-256, for a test copy of versions.txt to pin.
release_tarball() {
	local root=$1 v=$2 dir=$3 snap describe w
	read -r snap describe _ < <("$TOP/scripts/fetch-source" --origin git "$v" 2>/dev/null) || return 1
	w="$root/tmp/release-$v"
	rm -rf "$w" && mkdir -p "$w/jemalloc-$v" "$dir/$v"
	tar -xzf "$snap" -C "$w/jemalloc-$v" --strip-components=1
	echo "$describe" >"$w/jemalloc-$v/VERSION"
	chroot "$root" sh -c "cd /tmp/release-$v/jemalloc-$v && autoconf" || return 1
	tar -cjf "$dir/$v/jemalloc-$v.tar.bz2" -C "$w" "jemalloc-$v"
	rm -rf "$w"
	sha256sum "$dir/$v/jemalloc-$v.tar.bz2" | cut -c1-64
}
