/* The app's settings, one line each: the one list of them. settings.c reads
 * them from the env dir by it, jemalloc-status lists the dyno-start ones, a
 * misspelled name is answered with the nearest of them, and
 * scripts/readme-tables makes the README's settings table from this file.
 *
 * SETTING(NAME, WHEN, DEFAULT, ACCEPTS, HELP): WHEN is BUILD (read by
 * bin/compile and bin/build) or START (read at every dyno start; no rebuild
 * needed). DEFAULT reads after "unset: ". The strings are Markdown for the
 * README, on the SETTING's own line, without double quotes inside. */
SETTING(JEMALLOC_ENABLED, START, "off, jemalloc installed but not preloaded", "`true`, `false`, or a comma list of process types (`web,worker`)", "`true`: every process of every dyno runs on jemalloc; a list: only the dynos of those types.")
SETTING(MALLOC_CONF, START, "jemalloc's defaults", "jemalloc's `name:value,...`; the build's load check runs with it and warns of an option the version does not know (`Invalid conf pair`)", "jemalloc's own settings, read by jemalloc at process start: [Which MALLOC_CONF](#which-malloc_conf).")
SETTING(JEMALLOC_METRICS, START, "off", "what `JEMALLOC_ENABLED` takes: `true`, or a comma list of process types", "jemalloc's own figures, a log line every so often from each process on jemalloc: [docs/metrics.md](docs/metrics.md).")
SETTING(JEMALLOC_METRICS_INTERVAL, START, "20", "a whole number of seconds from 1 to 3600 (anything else is the default)", "The seconds between two metrics lines.")
SETTING(JEMALLOC_VERSION, BUILD, "the newest", "`5.3.1` (exact), `5.3` or `5` (the newest matching)", "The jemalloc release to install.")
SETTING(JEMALLOC_APT_URL, BUILD, "`repository.conf`'s `url`", "an `https://` (or `http://`) URL without spaces, quotes, brackets, percent-escapes or non-ASCII bytes; set with `JEMALLOC_APT_KEY`", "A package repository of your own, such as a mirror.")
SETTING(JEMALLOC_APT_KEY, BUILD, "`repository.conf`'s `key`", "an armored OpenPGP public key; set with `JEMALLOC_APT_URL`", "The public key that signs that repository.")
SETTING(JEMALLOC_SOURCE, BUILD, "`auto`", "`auto`, `always` or `never`", "`auto`: the package, else the official source; `always`: always build from source; `never`: packages only, and fail when there is none.")
SETTING(JEMALLOC_SOURCE_URL, BUILD, "jemalloc's own release downloads (`repository.conf`'s `source_url`)", "a URL as for `JEMALLOC_APT_URL`", "Where the official release tarballs are, as `<url>/<version>/jemalloc-<version>.tar.bz2`: for a mirror.")
SETTING(JEMALLOC_CHECKSUM, BUILD, "the SHA-256 `versions.txt` pins", "64 hex digits, with an exact `JEMALLOC_VERSION`", "The tarball SHA-256 of a release newer than this buildpack, which is then built from source; for a pinned version it must equal the pin.")
SETTING(JEMALLOC_BUILD, BUILD, "`false`", "`true`; anything else is `false`", "Cloud Native Buildpacks: also preload jemalloc into the later buildpacks' build.")
