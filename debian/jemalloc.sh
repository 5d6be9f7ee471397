#!/bin/sh
# Usage: jemalloc.sh COMMAND [ARG...]
# Runs COMMAND with this jemalloc preloaded, whatever JEMALLOC_ENABLED says.
# Finds the library next to itself (../lib), so it works wherever the package
# was unpacked, and prepends it to LD_PRELOAD instead of replacing it.
set -eu
if [ $# -eq 0 ]; then
	echo "usage: jemalloc.sh COMMAND [ARG...]" >&2
	exit 2
fi
# <prefix>/bin/jemalloc.sh -> <prefix>/lib/libjemalloc.so, with no child
# process in the common case (a Procfile line runs this on every start, and
# each spawn costs about a millisecond): $0 is the absolute path the shell
# found on PATH. Only a link, a relative $0, a path with . or .. in it, or
# one whose ../lib is not there (a linked directory) asks readlink -f.
lib=
case $0 in
*/./* | */../* | *//*) ;;
/*) [ -L "$0" ] || lib=${0%/*/*}/lib/libjemalloc.so ;;
esac
if [ -z "$lib" ] || [ ! -e "$lib" ]; then
	self=$(readlink -f -- "$0")
	lib=${self%/*/*}/lib/libjemalloc.so
fi
if [ ! -e "$lib" ]; then
	echo "jemalloc.sh: $lib is missing" >&2
	exit 127
fi
case $lib in
*[[:space:]:]*)
	# ld.so splits LD_PRELOAD at spaces and colons.
	echo "jemalloc.sh: cannot preload $lib: the path has a space or colon" >&2
	exit 127
	;;
esac
case ":${LD_PRELOAD:-}:" in
*":$lib:"* | *" $lib "*) ;;
::) LD_PRELOAD=$lib ;;
*) LD_PRELOAD=$lib:$LD_PRELOAD ;;
esac
export LD_PRELOAD
exec "$@"
