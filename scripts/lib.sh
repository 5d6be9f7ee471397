# shellcheck shell=bash
# Shared helpers for scripts/: logging, the versions catalog, stacks/, the
# cache outside the work tree, and the Debian mirror of this machine.
# Sourced, never run.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# JEMALLOC_CATALOG: another catalog, for tests of the checks themselves.
CATALOG=${JEMALLOC_CATALOG:-$TOP/versions.txt}
STACKS_DIR="$TOP/stacks"
# Build roots, sources and keys live outside the work tree so that later runs
# and CI on the same machine reuse them.
CACHE_ROOT=${JEMALLOC_CACHE:-/var/cache/heroku-jemalloc}
PACKAGE=heroku-jemalloc

# root_lock ROOT: this shell holds ROOT.lock (fd 9) while it makes or reads
# ROOT; a run that has been making it for ROOT_LOCK_WAIT seconds (below,
# with the other deadlines) is not waited for any longer: no wait without an
# end.
root_lock() {
	exec 9>"$1.lock"
	flock -w "$ROOT_LOCK_WAIT" 9 || die "Another run has held $1.lock for $ROOT_LOCK_WAIT s (making that build root): this one stops." \
		"Run again once it is done, or stop it (scripts/root makes a root once, then reuses it)."
}

# cache_trusted: before root writes under the cache (engine, roots, locks,
# logs: `>`, flock and rm -rf follow links), the cache is root's alone: a
# directory, not a link, owned by root, and neither it nor any directory
# above it writable by another user (a sticky one, as /tmp, is fine). So
# nobody else can have planted docker.lock -> /etc/shadow in it. Made
# (0755) when missing. Not root: nothing to check, nothing root writes.
cache_trusted() {
	[ "$(id -u)" = 0 ] || return 0
	[ -e "$CACHE_ROOT" ] || [ -L "$CACHE_ROOT" ] || mkdir -p -m 0755 "$CACHE_ROOT"
	[ ! -L "$CACHE_ROOT" ] && [ -d "$CACHE_ROOT" ] ||
		die "JEMALLOC_CACHE=$CACHE_ROOT is not a directory (a link, or a file): root does not write there." \
			"Point JEMALLOC_CACHE at a directory of root's own."
	local d u m
	d=$(realpath -e -- "$CACHE_ROOT")
	while :; do
		read -r u m < <(stat -c '%u %a' -- "$d")
		if [ "$u" != 0 ] || { (((8#$m & 8#022) != 0)) && (((8#$m & 8#1000) == 0)); }; then
			die "JEMALLOC_CACHE=$CACHE_ROOT: $d is owned or writable by another user than root: root does not write there." \
				"Point JEMALLOC_CACHE at a directory of root's own (the default is /var/cache/heroku-jemalloc)."
		fi
		[ "$d" != / ] || break
		d=$(dirname -- "$d")
	done
}
# Debian revision of every package: bump it when debian/ changes what is built.
DEB_REVISION=1
DIST=${DIST:-$TOP/dist}

step() { printf -- '-----> %s\n' "$*"; }
detail() { printf '       %s\n' "$*"; }
indent() { sed -u 's/^/       /'; }
die() {
	local line
	for line in "$@"; do printf ' !     %s\n' "$line" >&2; done
	exit 1
}

# --- versions catalog -------------------------------------------------------

catalog_rows() { grep -v '^[[:space:]]*\(#\|$\)' "$CATALOG"; }

# Every offered version, oldest first, once each.
catalog_versions() { catalog_rows | awk '!seen[$1]++ { print $1 }'; }

# (No grep -q or awk exit on a pipe in this file: under pipefail, the writer's
# SIGPIPE would make a match look like a failure once the catalog outgrows a
# pipe write.)
catalog_has() { catalog_versions | grep -xF -- "$1" >/dev/null; }

# catalog_field VERSION COLUMN: a column of the version's first (upstream) row.
catalog_field() {
	catalog_rows | awk -v v="$1" -v c="$2" '
		BEGIN { split("version released origin file pin describe", n, " "); for (i in n) col[n[i]] = i }
		$1 == v && !done { print $col[c]; done = 1 }'
}

# Rows of one version: "origin file pin describe", upstream first, git last.
catalog_sources() { catalog_rows | awk -v v="$1" '$1 == v { print $3, $4, $5, $6 }'; }

# Soname major: 3.x is libjemalloc.so.1, 4.0 onwards libjemalloc.so.2.
version_soname() { case $1 in 3.*) echo 1 ;; *) echo 2 ;; esac; }

# version_ge A B: true when A >= B.
version_ge() { dpkg --compare-versions "$1" ge "$2"; }

# --- settings -----------------------------------------------------------------

# The app's settings, from src/settings-table.h (the program's own table): one
# line each, "NAME<TAB>WHEN<TAB>DEFAULT<TAB>ACCEPTS<TAB>HELP", WHEN "build" or
# "dyno start".
settings_rows() {
	awk '/^SETTING\(/ {
		line = $0
		sub(/^SETTING\(/, "", line)
		name = line; sub(/,.*/, "", name)
		when = line; sub(/^[^,]*, */, "", when); sub(/,.*/, "", when)
		out = name "\t" (when == "START" ? "dyno start" : "build")
		while (match(line, /"[^"]*"/)) {
			out = out "\t" substr(line, RSTART + 1, RLENGTH - 2)
			line = substr(line, RSTART + RLENGTH)
		}
		print out
	}' "$TOP/src/settings-table.h"
}

# --- stacks -------------------------------------------------------------------

stacks_known() { (cd "$STACKS_DIR" && ls); }

# Stacks something is built for (every one but end-of-life ones).
stacks_supported() {
	local s
	for s in $(stacks_known); do
		[ "$(stack_field "$s" status)" = eol ] || echo "$s"
	done
}

# stack_field STACK KEY: read one key=value line; the file is data, never sourced.
stack_field() {
	stacks_known | grep -xF -- "$1" >/dev/null || return 1
	sed -n "s/^$2=//p" "$STACKS_DIR/$1" | head -n 1
}

# Package version, docker-ce style: 5.3.1-1~heroku24. One package name for
# every version, so "heroku-jemalloc=5.3.1-*" pins without naming the stack.
deb_version() { echo "$2-$DEB_REVISION~${1//-/}"; }
deb_file() { echo "${PACKAGE}_$(deb_version "$1" "$2")_$3.deb"; }

# copy_buildpack DEST: what the buildpack needs at build time, as a release
# of it has (scripts/package --list, the one list of it), without objects or
# a built program. Every copy of the buildpack (tests, scripts/demo) is this.
copy_buildpack() {
	local f
	mkdir -p "$1"
	"$TOP/scripts/package" --list | while read -r f; do
		case $f in */*) mkdir -p "$1/${f%/*}" ;; esac
		cp -p "$TOP/$f" "$1/$f"
	done
}

# --- this machine -------------------------------------------------------------

host_arch() { dpkg --print-architecture; }

# The Debian archive this machine's apt is configured with, as a URI ending in
# "/". Read at run time so that no mirror is ever written into the repository.
debian_mirror() {
	local uri
	uri=$(apt-get indextargets --format '$(REPO_URI)' 'Label: Debian' 2>/dev/null | sort -u | head -n 1)
	if [ -z "$uri" ]; then
		# No index fetched yet: take the first URI of a deb822 or one-line source
		# that is not the security archive.
		uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
			sed -n -e 's/^URIs:[[:space:]]*\([^[:space:]]*\).*/\1/p' \
				-e 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]*\).*/\2/p' |
			grep -v -e security -e '^$' | head -n 1)
	fi
	[ -n "$uri" ] || die "No Debian archive in this machine's apt configuration." \
		"Build roots and Debian sources come from the mirror apt already uses;" \
		"add one to /etc/apt/sources.list.d/ (or set DEBIAN_MIRROR) and run again."
	case $uri in */) echo "$uri" ;; *) echo "$uri/" ;; esac
}

mirror() { if [ -n "${DEBIAN_MIRROR:-}" ]; then echo "$DEBIAN_MIRROR"; else debian_mirror; fi; }

# --- serving a repository on this machine ----------------------------------------
# free_port: a TCP port on 127.0.0.1 that nothing listens on.
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# serve DIR PROBE [PORT]: serves DIR over HTTP on 127.0.0.1 (python3's http.server)
# until the caller exits; waits until DIR/PROBE answers. Sets $port and
# $server (the server's PID, for the caller's EXIT trap).
serve() {
	port=${3:-$(free_port)}
	python3 -m http.server --bind 127.0.0.1 --directory "$1" "$port" >/dev/null 2>&1 &
	server=$!
	local _
	# Each probe has its end, and a server that has exited (its port taken)
	# is not probed again: whatever holds the port is not ours.
	for _ in $(seq 50); do
		kill -0 "$server" 2>/dev/null || break
		curl -fs --max-time 2 "http://127.0.0.1:$port/$2" >/dev/null && kill -0 "$server" 2>/dev/null && return 0
		sleep 0.1
	done
	printf ' !     %s\n' "Nothing answers on 127.0.0.1:$port (python3 -m http.server of $1)." >&2
	return 1
}

# docker_engine: true when a Docker engine answers (JEMALLOC_NO_DOCKER=1: never
# used). JEMALLOC_DOCKER=required (the release's package builds, which must be
# made in the real images): no engine stops the run instead of falling back to
# a debootstrap root.
docker_engine() {
	if [ "${JEMALLOC_NO_DOCKER:-}" != 1 ] && command -v docker >/dev/null 2>&1 && timeout 10 docker info >/dev/null 2>&1; then
		return 0
	fi
	[ "${JEMALLOC_DOCKER:-}" != required ] ||
		die "JEMALLOC_DOCKER=required, and no Docker engine answers (docker info)." \
			"The release builds its packages in the real heroku/heroku images: start an engine, or unset JEMALLOC_DOCKER."
	return 1
}

# --- build environments -------------------------------------------------------
# A stack's build environment is the real heroku/heroku:NN-build image when a
# Docker engine answers, else a debootstrap root of the stack's Debian suite
# (scripts/root). Work is handed in through a directory both sides see.

root_dir() { echo "$CACHE_ROOT/roots/$(stack_field "$1" root_suite)"; }

# What scripts/root and scripts/foreign-root share: a root in
# $CACHE_ROOT/roots/, stamped with what it holds, remade when that changes.

# qemu_arch ARCH: qemu's name for a Debian architecture (qemu-aarch64 runs arm64).
qemu_arch() { case $1 in arm64) echo aarch64 ;; *) echo "$1" ;; esac; }

# root_deps_key: the part of a root's stamp that its build tools decide.
# Only scripts/inside's deps() counts: the rest of inside runs from each
# build's own copy, and checkouts that differ elsewhere share the roots
# without installing in them in turn.
root_deps_key() { sed -n '/^deps()/,/^}/p' "$TOP/scripts/inside" | sha256sum | cut -c1-16; }

# root_drop_half_made ROOT STAMP: a root without its stamp was interrupted
# while being made: removed, to start over, unless something is still
# mounted in it.
root_drop_half_made() {
	[ -d "$1" ] && [ ! -f "$2" ] || return 0
	if grep -q " $1/" /proc/mounts; then
		die "$1 is half made and has mounts under it:" "$(grep " $1/" /proc/mounts | cut -d' ' -f2)" "Unmount them and run again."
	fi
	rm -rf "$1"
}

# root_make ROOT RECIPE ARCHES SAYING DEBOOTSTRAP_ARG...: the build root ROOT,
# made or reused, its path printed; what scripts/root and scripts/foreign-root
# share. Under ROOT's lock: used as it is when its stamp says RECIPE; else a
# half-made one is dropped, a missing one made by debootstrap (its options
# and suite, DEBOOTSTRAP_ARG..., into ROOT.new, from this machine's mirror)
# with the step SAYING, then renamed into place; then the build tools for
# ARCHES (words) are installed, with the host's static qemu for any that is
# not the root's own, and the stamp written last.
root_make() {
	local root=$1 recipe=$2 arches=$3 saying=$4 stamp="$1/.heroku-jemalloc-root" m arch qemu
	shift 4
	cache_trusted
	mkdir -p "$CACHE_ROOT/roots"
	root_lock "$root"
	if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$recipe" ]; then
		echo "$root"
		return 0
	fi
	root_drop_half_made "$root" "$stamp"
	if [ ! -d "$root" ]; then
		m=$(mirror)
		step "$saying" >&2
		detail "in $root" >&2
		rm -rf "$root.new"
		# With if: under pipefail a failed pipeline would end the script unsaid.
		if ! timeout "$ROOT_LOCK_WAIT" debootstrap "$@" "$root.new" "$m" 2>&1 | indent >&2; then
			die "debootstrap $* failed (above; the mirror is this machine's apt configuration's)."
		fi
		mv "$root.new" "$root"
	fi
	step "Installing build tools in $root ($arches)" >&2
	for arch in $arches; do
		if [ "$arch" != "$(chroot "$root" dpkg --print-architecture)" ]; then
			# The emulator is static: the host's copy runs the root's programs of ARCH.
			qemu="/usr/bin/qemu-$(qemu_arch "$arch")-static"
			[ -x "$qemu" ] || die "$qemu is missing: run 'make deps' (apt-get install qemu-user-static)."
			install -m 0755 "$qemu" "$root/usr/local/bin/"
		fi
	done
	# shellcheck disable=SC2086 # one word per architecture
	root_install_deps "$root" $arches
	echo "$recipe" >"$stamp"
	echo "$root"
}

# root_install_deps ROOT ARCH...: scripts/inside deps ARCH... run in ROOT.
# (Tested with if: under set -e and pipefail a failing pipeline would end the
# script before a PIPESTATUS check could say why.)
root_install_deps() {
	local root=$1
	shift
	cp "$TOP/scripts/inside" "$root/usr/local/bin/heroku-jemalloc-inside"
	if ! timeout "$ROOT_LOCK_WAIT" chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C \
		bash /usr/local/bin/heroku-jemalloc-inside deps "$@" 2>&1 | indent >&2; then
		die "Installing build tools in $root failed (output above)."
	fi
}

# env_workdir STACK: make a work directory visible inside the environment;
# prints "HOST_PATH INSIDE_PATH".
env_workdir() {
	local host
	if docker_engine; then
		host=$(mktemp -d "${TMPDIR:-/tmp}/heroku-jemalloc.XXXXXX")
	else
		mkdir -p "$(root_dir "$1")/build"
		host=$(mktemp -d "$(root_dir "$1")/build/XXXXXX")
	fi
	chmod 0755 "$host"
	cp "$TOP/scripts/inside" "$host/inside"
	echo "$host /build/$(basename "$host")"
}

# Who runs the work. heroku/heroku:24-build and :26-build set USER heroku
# (uid 1000); 22-build runs as root. As uid 1000 the build cannot apt-get the
# tools no build image ships (debhelper) nor write the work directory, which
# the host made as root. Rather than a derived image with the tools preinstalled
# (another image to build, cache and keep in step with the stack's), every
# docker run names its user: root (heroku/base-images: "USER root" to install
# packages), or RUN_AS=UID:GID for a step that must not be root, or
# RUN_AS=image for the image's own USER (only tests want that: it shows the
# failure this avoids).
#
# env_docker_args STACK ARCH HOST_PATH: docker run's arguments up to the image,
# one a line. The chroot path reads its user from them too (env_run), so the
# debootstrap roots run every step as the user the image would.
env_docker_args() {
	local args=(run --rm --platform "linux/$2")
	case ${RUN_AS:-root} in
	image) ;;
	root) args+=(--user 0:0) ;;
	*) args+=(--user "$RUN_AS") ;;
	esac
	args+=(-v "$3:/build/$(basename "$3")" "$(env_image "$1" "$2")")
	printf '%s\n' "${args[@]}"
}

# standin_name STACK ARCH: the local stand-in for the stack's image on ARCH
# (scripts/standin makes it where the real image cannot be pulled).
standin_name() { local i; i=$(stack_field "$1" build_image); echo "heroku-jemalloc/stand-in:${i##*:}-$2"; }

# Deadlines, in seconds, of every docker and skopeo call (scripts/standin,
# ci/push-image): an engine or a registry that stops answering stops the run,
# naming the command, instead of holding it for ever. The environment may set
# them (tests make them small).
#   QUERY_DEADLINE     a question or a small change: inspect, rm, login
#   TRANSFER_DEADLINE  an image moved or made: pull, import, run, commit, load, copy
#   BUILD_DEADLINE     one step in a build environment (env_run: a package's
#                      build, its gates' smoke); an arm64 build with the suite,
#                      every step emulated, took most of an hour here
#   ROOT_LOCK_WAIT     a build root's lock, held by a run making it
#                      (root_lock: a debootstrap and its tools under qemu fit),
#                      and so each of those two steps too
deadline() {
	local v=${!1:-$2}
	if ! [[ $v =~ ^[1-9][0-9]{0,4}$ ]] || ((v > 86400)); then
		die "$1='$v' is not a number of seconds (1 to 86400)."
	fi
	echo "$v"
}
# shellcheck disable=SC2034 # read by bounded and by the scripts that source this file
QUERY_DEADLINE=$(deadline JEMALLOC_QUERY_DEADLINE 60) || exit 1
# shellcheck disable=SC2034
TRANSFER_DEADLINE=$(deadline JEMALLOC_TRANSFER_DEADLINE 900) || exit 1
# shellcheck disable=SC2034
BUILD_DEADLINE=$(deadline JEMALLOC_BUILD_DEADLINE 14400) || exit 1
ROOT_LOCK_WAIT=$(deadline JEMALLOC_ROOT_LOCK_WAIT 3600) || exit 1

# uptime_cs: the boot clock in hundredths of a second (/proc/uptime), which
# a clock set back or forward does not move.
uptime_cs() { local up _; read -r up _ </proc/uptime; echo $((10#${up/./})); }
# deadline_passed STATUS T0 SECONDS: whether a command under timeout(1),
# started at uptime_cs T0, was stopped by its deadline: timeout's status
# (124, or 137 after -k) and the time gone by; a command's own 124 is not.
deadline_passed() { { [ "$1" = 124 ] || [ "$1" = 137 ]; } && (($(uptime_cs) - $2 >= $3 * 100)); }

# bounded QUERY|TRANSFER|BUILD [-q] CMD...: CMD under that deadline (-q:
# without its stderr). Past it, CMD and its children are stopped and so is
# the run, with CMD named; otherwise CMD's own status, 124 and 137 too (a
# container whose command was killed inside): the deadline is taken to have
# passed only when it has, by the boot clock (uptime_cs).
bounded() {
	local name=$1_DEADLINE quiet='' r=0 t0
	shift
	[ "$1" != -q ] || quiet=1
	[ -z "$quiet" ] || shift
	t0=$(uptime_cs)
	if [ -n "$quiet" ]; then
		timeout -k 10 "${!name}" "$@" 2>/dev/null || r=$?
	else
		timeout -k 10 "${!name}" "$@" || r=$?
	fi
	if deadline_passed "$r" "$t0" "${!name}"; then
		# The command is named by its program and subcommands (docker image
		# inspect), not its options or the names it was given.
		local cmd=$1 w
		shift
		for w in "${@:1:2}"; do
			[[ $w =~ ^[a-z]+$ ]] || break
			cmd+=" $w"
		done
		die "$cmd did not finish within ${!name} s (JEMALLOC_$name): stopped."
	fi
	return "$r"
}

# image_arch IMAGE: the architecture of a local IMAGE; nothing when absent.
image_arch() { bounded QUERY -q docker image inspect -f '{{.Architecture}}' "$1" || true; }

# env_image STACK ARCH: the image docker run uses for ARCH: the stack's own
# (stacks/ build_image) when it is here for ARCH, else the stand-in when it
# is, else the stack's own (docker run pulls it).
env_image() {
	local real
	real=$(stack_field "$1" build_image)
	if [ "$(image_arch "$real")" != "$2" ] && [ "$(image_arch "$(standin_name "$1" "$2")")" = "$2" ]; then
		standin_name "$1" "$2"
	else
		echo "$real"
	fi
}

# env_user STACK ARG...: the user docker run ARG... runs as: its --user, else
# the image's USER (stacks/STACK build_image_user).
env_user() {
	local user
	user=$(stack_field "$1" build_image_user)
	shift
	while [ $# -gt 0 ]; do
		if [ "$1" = --user ]; then user=$2; fi
		shift
	done
	echo "${user:-0:0}"
}

# env_run STACK ARCH HOST_PATH CMD...: run CMD in the stack's environment for
# ARCH, with HOST_PATH mounted at the inside path env_workdir gave, as root
# (RUN_AS=UID:GID: as that user; RUN_AS=image: as the image's USER).
# Every step has an end, BUILD_DEADLINE: past it the step and everything it
# started are stopped (its container removed), and so is the run, saying so.
# TERM or INT to the caller stop the step the same way: timeout runs it in a
# process group of its own, which a terminal's ^C does not reach.
env_run() {
	local stack=$1 arch=$2 host=$3 dargs name="" pid r=0 start traps got=""
	start=$(uptime_cs)
	shift 3
	local clean=(env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
		HOME=/root LC_ALL=C TERM=dumb)
	mapfile -t dargs < <(env_docker_args "$stack" "$arch" "$host")
	if docker_engine; then
		# Stopping the client does not stop its container (no child of the
		# client's): the container is removed after, and the command is
		# bounded inside it as well.
		name=heroku-jemalloc-step-$$-$RANDOM
		timeout -k 30 "$BUILD_DEADLINE" docker "${dargs[0]}" --name "$name" "${dargs[@]:1}" \
			timeout -k 10 "$BUILD_DEADLINE" "${clean[@]}" "$@" <&0 &
	else
		# /proc in the root, as a container and a Heroku build have it: in a
		# mount namespace of the command's own, so the mount goes when the
		# command ends or is killed and nothing outside sees it. (jemalloc's
		# heap profiler reads /proc/PID/maps: without it 3.x's prof.dump
		# fails, and so does its unit test prof_accum.)
		timeout -k 30 "$BUILD_DEADLINE" unshare --mount --propagation private --mount-proc="$(root_dir "$stack")/proc" \
			chroot --userspec="$(env_user "$stack" "${dargs[@]}")" "$(root_dir "$stack")" "${clean[@]}" "$@" <&0 &
	fi
	pid=$!
	traps=$(trap -p INT TERM)
	# shellcheck disable=SC2064 # the pid of this step, now
	trap "got=INT; kill -TERM $pid 2>/dev/null" INT
	# shellcheck disable=SC2064
	trap "got=TERM; kill -TERM $pid 2>/dev/null" TERM
	# wait returns early when a trapped signal arrives: wait again for the end.
	while :; do
		r=0
		wait "$pid" || r=$?
		kill -0 "$pid" 2>/dev/null || break
	done
	trap - INT TERM
	eval "$traps"
	[ "$r" = 0 ] || [ -z "$name" ] || bounded QUERY -q docker rm -f "$name" >/dev/null || true
	# The signal the caller was sent, now that the step is stopped.
	[ -z "$got" ] || kill -s "$got" "$BASHPID"
	if deadline_passed "$r" "$start" "$BUILD_DEADLINE"; then
		die "A step in the $stack $arch build environment ($(basename -- "$1")${2:+ $(basename -- "$2")}${3:+ $3}) did not finish within $BUILD_DEADLINE s (JEMALLOC_BUILD_DEADLINE): stopped."
	fi
	return "$r"
}
