# shellcheck shell=bash
# shellcheck disable=SC2034 # rc, out, err and FIXTURES are for the .test files
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


# pool_versions POOL: the package versions of the amd64 .debs in a
# repository's pool/<stack> directory, oldest first.
pool_versions() {
	(cd "$1" && find . -name '*_amd64.deb' -printf '%f\n') | sed 's/^heroku-jemalloc_\(.*\)_amd64.deb$/\1/' | sort -V
}

# copy_buildpack DEST: what the buildpack needs at build time, as a user's
# copy of it has, without objects or a built program.
copy_buildpack() {
	mkdir -p "$1/debian"
	cp -r "$TOP/bin" "$TOP/src" "$TOP/stacks" "$TOP/versions.txt" "$TOP/repository.conf" "$TOP/buildpack.toml" "$1/"
	cp "$TOP/debian/recipe" "$TOP/debian/jemalloc.sh" "$1/debian/"
	rm -f "$1/src/"*.o "$1/src/heroku-jemalloc"
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
