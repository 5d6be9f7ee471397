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
self=$(readlink -f -- "$0")
# <prefix>/bin/jemalloc.sh -> <prefix>/lib (no dirname: each spawn costs a millisecond).
lib=${self%/*/*}/lib/libjemalloc.so
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
