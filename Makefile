# heroku-buildpack-jemalloc
#   make                 the default package set (and its repository)
#   make test            every test; installs what it needs
#   make package         dist/buildpack: the buildpack's release files
#   make release-rehearsal  .github/workflows/release.yml run here as GitHub would
#   make debs STACK=all VERSION=5.3.1 ARCH=all
# STACK, VERSION and ARCH each take a name or "all"; VERSION also "newest",
# ARCH also "host". A bad value stops before any work, listing what exists.
#   make debs SUITE=0    the same without jemalloc's own test suite (each
#                        build runs it by default; the gates record which)

STACK ?= heroku-24
VERSION ?= newest
ARCH ?= host
SUITE ?= 1
ifeq (,$(filter 0 1,$(SUITE)))
$(error SUITE is 0 or 1, not '$(SUITE)')
endif
NO_SUITE := $(if $(filter 0,$(SUITE)),--no-suite)
# Build roots, sources and the local signing key live here, outside the tree.
JEMALLOC_CACHE ?= /var/cache/heroku-jemalloc
export JEMALLOC_CACHE
# make fuzz: seconds per parser's fuzzer (make test gives each a few).
FUZZ_SECONDS ?= 60

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

.PHONY: all deps debs repo publish-dir package check-repro release-rehearsal docs generate matrix-record test fuzz lint bench demo docker-engine console docker-test clean

all: debs repo

deps:
	@scripts/deps build

# each_line CMD: the one loop, CMD STACK VERSION ARCH for each line it reads
# (the Docker lane runs it inside its bash -c). each_package CMD, ARCH: that
# loop over the matrix, which is expanded (and checked) first, before any work.
each_line = while read -r s v a; do $(1) "$$s" "$$v" "$$a" || exit 1; done
each_package = matrix=$$(scripts/matrix '$(STACK)' '$(VERSION)' '$(2)'); $(call each_line,$(1)) <<<"$$matrix"

debs:
	@scripts/matrix '$(STACK)' '$(VERSION)' '$(ARCH)' >/dev/null; scripts/deps build
	@$(call each_package,scripts/build-deb $(NO_SUITE),$(ARCH))

# dist/debs -> dist/apt: signed, one suite per stack. The key comes from
# JEMALLOC_SIGNING_KEY (file) or JEMALLOC_SIGNING_KEY_DATA; else a local key.
repo:
	@scripts/deps repo
	@scripts/repo dist/debs dist/apt

# Exactly the static tree to upload, signed with the release key (required).
publish-dir:
	@scripts/matrix-record --check --release docs/matrix.md
	@scripts/deps repo
	@scripts/repo --release dist/debs dist/publish

# dist/buildpack: the classic and CNB tarballs, the CNB as a buildpackage (.cnb)
# and SHA256SUMS, the same bytes from the same commit (the release assets).
package:
	@scripts/package

check-repro:
	@scripts/matrix '$(STACK)' '$(VERSION)' '$(ARCH)' >/dev/null; scripts/deps build
	@$(call each_package,scripts/check-repro,$(ARCH))

# .github/workflows/release.yml's own steps, run here as the hosted runner runs
# them (ci/rehearse), then the released buildpack in each stack's root against
# the repository it published; writes build/rehearsal/. The package builds run
# in Docker: where no engine answers, their packages are dist/debs's (make debs
# STACK=all VERSION=all ARCH=all first).
release-rehearsal:
	@scripts/deps test
	@ci/rehearse --debs-from dist/debs

# The whole path on this machine: package, repository on 127.0.0.1, bin/compile
# on a sample app in the stack's root, a simulated dyno asked "is it on?".
demo:
	@scripts/deps build
	@scripts/demo '$(STACK)'

# README.md and docs/: the tables and figures made from versions.txt,
# stacks/, docs/benchmarks.json and docs/matrix.md.
docs:
	@scripts/readme-tables --write docs/packages.md
	@scripts/readme-tables --write README.md
	@scripts/docs --write

# Everything made from stacks/, versions.txt and src/settings-table.h: the
# docs' tables and figures, buildpack.toml's [[targets]], the release matrix.
generate: docs
	@scripts/targets --write

# docs/matrix.md from the packages and gate records in dist/ (after
# `make debs STACK=all VERSION=all ARCH=all`).
matrix-record:
	@scripts/matrix-record --write docs/matrix.md

test:
	@scripts/deps test
	@tests/run

# Build time, memory, allocator speed and activation overhead, each against
# the alternative, measured in one run (about 50 minutes; not part of test).
# Writes docs/benchmarks.* and the README's table.
bench:
	@bench/run

# Every parser's libFuzzer harness (tests/fuzz/) for FUZZ_SECONDS, one after
# another; new inputs they find are kept in dist/fuzz/corpus/<name>, a failing
# one as dist/fuzz/<name>-crash-* (add it to tests/fuzz/corpus/<name> once fixed).
fuzz:
	@scripts/deps test
	@$(MAKE) -s -j2 -C tests/fuzz OUT='$(CURDIR)/dist/fuzz'
	@failed=0; for n in $$($(MAKE) -s -C tests/fuzz names); do \
		tests/fuzz/run '$(FUZZ_SECONDS)' dist/fuzz "$$n" "dist/fuzz/corpus/$$n" || failed=1; done; exit $$failed

lint:
	@scripts/deps test
	@tests/run lint

# Local stack testing in the stacks' images (docs/docker.md). Each runs with a
# Docker engine: the user's when one answers, else a private one started for
# the run and stopped after it (scripts/docker-engine); in the real
# heroku/heroku:NN-build image when it is here or can be pulled, else in a
# stand-in made from the stack's build root (scripts/standin).
#   make docker-engine   says which engine answers
#   make console         a shell in the stack's image, this repository at /src
#   make docker-test     the stack's packages built and gated in its images
docker-engine:
	@scripts/docker-engine run docker info --format 'engine: Docker {{.ServerVersion}}, storage {{.Driver}}'

console:
	@scripts/docker-engine run scripts/console '$(STACK)'

docker-test:
	@matrix=$$(scripts/matrix '$(STACK)' '$(VERSION)' all); scripts/deps build; \
	scripts/docker-engine run --binfmt bash -c '$(call each_line,scripts/build-deb $(NO_SUITE)) <<<"$$0"' "$$matrix"

clean:
	rm -rf dist
