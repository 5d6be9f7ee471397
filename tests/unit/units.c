/* Unit tests of the buildpack program's pure parts (cmocka). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../src/apt.h"
#include "../../src/cache.h"
#include "../../src/catalog.h"
#include "../../src/envdir.h"
#include "../../src/fsx.h"
#include "../../src/pkgcache.h"
#include "../../src/preload.h"
#include "../../src/profile.h"
#include "../../src/run.h"
#include "../../src/sb.h"
#include "../../src/settings.h"
#include "../../src/sha256.h"
#include "../../src/stack.h"
#include "../../src/status.h"
#include "../../src/toml.h"
#include "../../src/tree.h"
#include "../../src/version.h"

/* The repository's top, for stacks/ and versions.txt (tests/run runs here). */
#define TOP "."

static void version_requests(void **state)
{
	(void)state;
	assert_true(version_request_ok(""));
	assert_true(version_request_ok("5"));
	assert_true(version_request_ok("5.3"));
	assert_true(version_request_ok("5.3.1"));
	assert_false(version_request_ok("5.3.1.2"));
	assert_false(version_request_ok("5."));
	assert_false(version_request_ok(".5"));
	assert_false(version_request_ok("5..3"));
	assert_false(version_request_ok("latest"));
	assert_false(version_request_ok("5.3.1-*"));
	assert_false(version_request_ok("$(reboot)"));
	assert_false(version_request_ok("5.3\n5.2"));
	assert_true(version_request_exact("5.3.1"));
	assert_false(version_request_exact("5.3"));
	assert_false(version_request_exact(""));
}

static void version_ordering(void **state)
{
	(void)state;
	assert_true(version_cmp("5.3.1-1~heroku24", "5.3.0-1~heroku24") > 0);
	assert_true(version_cmp("5.10.0-1~heroku24", "5.9.0-1~heroku24") > 0);
	assert_true(version_cmp("5.3.1-2~heroku24", "5.3.1-1~heroku24") > 0);
	assert_true(version_cmp("5.3.1-1~heroku24", "5.3.1-1") < 0);
	assert_int_equal(version_cmp("4.5.0-1~heroku22", "4.5.0-1~heroku22"), 0);
}

static void version_picking(void **state)
{
	(void)state;
	const char *v[] = {"5.3.0-1~heroku24", "5.3.1-1~heroku24", "4.5.0-1~heroku24", "5.30.0-1~heroku24"};
	assert_string_equal(version_pick(v, 4, ""), "5.30.0-1~heroku24");
	assert_string_equal(version_pick(v, 4, "5.3"), "5.3.1-1~heroku24");
	assert_string_equal(version_pick(v, 4, "5.3.0"), "5.3.0-1~heroku24");
	assert_string_equal(version_pick(v, 4, "4"), "4.5.0-1~heroku24");
	assert_null(version_pick(v, 4, "5.2"));
	assert_null(version_pick(v, 4, "3"));
	assert_null(version_pick(v, 0, ""));
}

static char dir[] = "/tmp/envdir-test-XXXXXX";

static void put(const char *name, const char *data, size_t len)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void envdir_reading(void **state)
{
	(void)state;
	char *v;
	assert_non_null(mkdtemp(dir));
	put("JEMALLOC_VERSION", "5.3.1\n", 6);
	assert_int_equal(envdir_get(dir, "JEMALLOC_VERSION", &v), 1);
	assert_string_equal(v, "5.3.1");
	free(v);
	put("TWO", "a\nb\n\n", 5); /* only one trailing newline goes */
	assert_int_equal(envdir_get(dir, "TWO", &v), 1);
	assert_string_equal(v, "a\nb\n");
	free(v);
	assert_int_equal(envdir_get(dir, "ABSENT", &v), 0);
	assert_null(v);
	put("NUL", "a\0b", 3);
	assert_int_equal(envdir_get(dir, "NUL", &v), -1);
	assert_int_equal(errno, EILSEQ);
	char fifo[300];
	snprintf(fifo, sizeof fifo, "%s/FIFO", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(envdir_get(dir, "FIFO", &v), -1); /* refused at once, no hang */
	assert_int_equal(errno, EINVAL);
	char *big = calloc(1, ENVDIR_VALUE_MAX + 10);
	memset(big, 'x', ENVDIR_VALUE_MAX + 5);
	put("BIG", big, ENVDIR_VALUE_MAX + 5);
	free(big);
	assert_int_equal(envdir_get(dir, "BIG", &v), -1);
	assert_int_equal(errno, EFBIG);
	put(".hidden", "x", 1);
	assert_int_equal(envdir_get(dir, ".hidden", &v), -1);
	assert_int_equal(envdir_get(dir, "../etc/passwd", &v), -1);
	assert_int_equal(envdir_get(dir, "A=B", &v), -1);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void wants(void **state)
{
	(void)state;
	struct sb why = SB_INIT;
	assert_true(profile_wants("true", NULL, &why));
	assert_string_equal(sb_str(&why), "JEMALLOC_ENABLED=true");
	assert_false(profile_wants(NULL, "web.1", &why));
	assert_string_equal(sb_str(&why), "JEMALLOC_ENABLED is not set");
	assert_false(profile_wants("false", "web.1", &why));
	assert_true(profile_wants("web,worker", "worker.3", &why));
	assert_string_equal(sb_str(&why), "JEMALLOC_ENABLED lists this dyno's type, worker");
	assert_false(profile_wants("web,worker", "release.1", &why));
	assert_string_equal(sb_str(&why), "JEMALLOC_ENABLED does not list this dyno's type, release");
	assert_false(profile_wants("web", NULL, &why));
	assert_false(profile_wants("TRUE", "web.1", &why)); /* exact values only */
	assert_false(profile_wants("webx", "web.1", &why));
	assert_false(profile_wants(",web", ".1", &why)); /* an empty type matches nothing */
	assert_true(profile_wants("a,,web", "web", &why));
	/* No length limit: a 5000-byte list still finds its last item. */
	char *long_list = malloc(5010);
	memset(long_list, 'x', 5000);
	memcpy(long_list + 5000, ",web", 5);
	assert_true(profile_wants(long_list, "web.1", &why));
	free(long_list);
	sb_release(&why);
}

static void script_has_no_build_values(void **state)
{
	(void)state;
	/* The profile script is a constant: nothing from the build reaches it. */
	assert_non_null(strstr(profile_script, "export PATH=\"$HOME/.jemalloc/bin:$PATH\"\n"));
	assert_null(strstr(profile_script, "/tmp/"));
}

static void stacks(void **state)
{
	(void)state;
	struct stack st;
	struct sb list = SB_INIT, id = SB_INIT;
	assert_int_equal(stack_load(TOP, "heroku-24", &st), 1);
	assert_string_equal(st.ubuntu, "24.04");
	assert_true(stack_has_arch(&st, "arm64"));
	assert_false(stack_has_arch(&st, "arm"));
	assert_false(stack_has_arch(&st, "riscv64"));
	assert_int_equal(stack_load(TOP, "heroku-22", &st), 1);
	assert_false(stack_has_arch(&st, "arm64")); /* no package for that arch */
	assert_int_equal(stack_load(TOP, "heroku-20", &st), 1);
	assert_string_equal(st.status, "eol");
	assert_int_equal(stack_load(TOP, "heroku-99", &st), 0);
	assert_int_equal(stack_load(TOP, "../README.md", &st), 0); /* not a stack name: never opened */
	assert_false(stack_id_ok("Heroku-24"));
	assert_false(stack_id_ok("heroku-24/.."));
	assert_false(stack_id_ok(""));
	assert_true(stack_id_ok("heroku-28"));
	assert_int_equal(stack_list(TOP, "id", &list), 0);
	/* tests/unit.test gives the lists as scripts/lib.sh reads stacks/. */
	assert_string_equal(sb_str(&list), getenv("UNIT_STACKS"));
	assert_int_equal(stack_list(TOP, "ubuntu", &list), 0);
	assert_string_equal(sb_str(&list), getenv("UNIT_UBUNTUS"));
	assert_int_equal(stack_from_target(TOP, "ubuntu", "24.04", &id), 0);
	assert_string_equal(sb_str(&id), "heroku-24");
	assert_int_equal(stack_from_target(TOP, "ubuntu", "28.04", &id), 0); /* a stack of tomorrow */
	assert_string_equal(sb_str(&id), "heroku-28");
	assert_int_equal(stack_from_target(TOP, NULL, NULL, &id), 0); /* no target: ask the OS */
	assert_string_equal(sb_str(&id), "");
	assert_int_equal(stack_from_target(TOP, "ubuntu", "24.10", &id), -1); /* not an LTS */
	assert_int_equal(stack_from_target(TOP, "debian", "12", &id), -1);
	assert_int_equal(stack_from_target(TOP, "ubuntu", "24.04x", &id), -1);
	assert_int_equal(stack_from_target(TOP, "ubuntu", NULL, &id), -1);
	sb_release(&list);
	sb_release(&id);
}

static void exec_d(void **state)
{
	(void)state;
	struct sb out = SB_INIT;
	assert_int_equal(toml_quote("/a/b", &out), 0);
	assert_string_equal(sb_str(&out), "\"/a/b\"");
	sb_reset(&out);
	assert_int_equal(toml_quote("q\"b\\n\x01", &out), 0);
	assert_string_equal(sb_str(&out), "\"q\\\"b\\\\n\\u0001\"");
	sb_reset(&out);
	assert_int_equal(toml_quote("caf\xc3\xa9", &out), 0); /* UTF-8 passes as it is */
	assert_string_equal(sb_str(&out), "\"caf\xc3\xa9\"");
	sb_setf(&out, "x");
	assert_int_equal(toml_quote("a\xff", &out), -1); /* not UTF-8: refused, OUT unchanged */
	assert_int_equal(errno, EILSEQ);
	assert_string_equal(sb_str(&out), "x");
	assert_int_equal(toml_quote("\xed\xa0\x80", &out), -1); /* a surrogate */
	assert_int_equal(toml_quote("\xc0\xaf", &out), -1);     /* overlong */
	assert_int_equal(preload_value("/j.so", NULL, &out), 1);
	assert_string_equal(sb_str(&out), "/j.so");
	assert_int_equal(preload_value("/j.so", "", &out), 1);
	assert_string_equal(sb_str(&out), "/j.so");
	assert_int_equal(preload_value("/j.so", "/m.so", &out), 1);
	assert_string_equal(sb_str(&out), "/j.so:/m.so");
	assert_int_equal(preload_value("/j.so", "/m.so:/j.so", &out), 0);
	assert_int_equal(preload_value("/j.so", "/m.so /j.so", &out), 0);
	assert_int_equal(preload_value("/j.so", "/j.so.2", &out), 1); /* another file */
	preload_process_type("/cnb/process/web", "worker.1", &out);
	assert_string_equal(sb_str(&out), "web"); /* the launcher's own word wins */
	preload_process_type("/cnb/lifecycle/launcher", "worker.1", &out);
	assert_string_equal(sb_str(&out), "worker");
	preload_process_type(NULL, NULL, &out);
	assert_string_equal(sb_str(&out), "");
	preload_process_type("/cnb/process/", NULL, &out);
	assert_string_equal(sb_str(&out), "");
	preload_process_type("/bin/process", NULL, &out);
	assert_string_equal(sb_str(&out), "");
	char v[16];
	assert_int_equal(toml_get("[types]\nstack = \"no\"\n[metadata]\nstack = \"heroku-24\"\n", "metadata", "stack", v, sizeof v), 1);
	assert_string_equal(v, "heroku-24");
	assert_int_equal(toml_get("[metadata]\nstack = \"a\\\"b\"\n", "metadata", "stack", v, sizeof v), 0);
	sb_release(&out);
}

static void urls(void **state)
{
	(void)state;
	struct sb d = SB_INIT;
	assert_true(url_ok("https://example.invalid/apt", 0));
	assert_true(url_ok("http://127.0.0.1:8080/apt", 0));
	assert_false(url_ok("file:/srv/apt", 0));
	assert_true(url_ok("file:/srv/apt", 1));
	assert_false(url_ok("ftp://x/apt", 1));
	assert_false(url_ok("https://x/a%0aFilename: /etc/passwd", 1)); /* apt decodes %0a into its protocol */
	assert_false(url_ok("https://x/a%0d%0a", 1));
	assert_false(url_ok("https://x/\xc3\xa9", 1));
	assert_false(url_ok("https://x y/", 1));
	assert_false(url_ok("https://x/]", 1));
	assert_false(url_ok("https://x/\"", 1));
	assert_false(url_ok("https://x/\n", 1));
	char *long_url = malloc(1100);
	memcpy(long_url, "https://", 8);
	memset(long_url + 8, 'a', 1090);
	long_url[1098] = '\0';
	assert_false(url_ok(long_url, 1));
	free(long_url);
	url_display("https://user:secret@host.invalid/apt", &d);
	assert_string_equal(sb_str(&d), "https://***@host.invalid/apt");
	url_display("https://host.invalid/a@b", &d);
	assert_string_equal(sb_str(&d), "https://host.invalid/a@b");
	sb_release(&d);
}

static void hashing(void **state)
{
	(void)state;
	char hex[65];
	sha256_str("abc", hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256_str("", hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_str("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", hex); /* two blocks */
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	assert_true(sha256_hex_ok(hex));
	assert_false(sha256_hex_ok("248D6A61D20638B8E5C026930C3E6039A33CE45964FF2167F6ECEDD419DB06C1"));
	assert_false(sha256_hex_ok("abc"));
}

static void buffers(void **state)
{
	(void)state;
	struct sb b = SB_INIT;
	assert_string_equal(sb_str(&b), "");
	for (int i = 0; i < 1000; i++)
		sb_addf(&b, "%04d/", i);
	assert_int_equal(b.len, 5000); /* no cut at any fixed size */
	sb_setf(&b, "%s", "x");
	assert_string_equal(sb_str(&b), "x");
	sb_release(&b);
	/* Over the cap (as out of memory): the program stops, saying so; never
	 * a cut, never a caller's error path. */
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fds[1], 2);
		char *big = calloc(1, SB_MAX + 2);
		memset(big, 'y', SB_MAX + 1);
		sb_adds(&b, big);
		_exit(0);
	}
	close(fds[1]);
	char said[256] = "";
	ssize_t n = read(fds[0], said, sizeof said - 1);
	said[n > 0 ? n : 0] = '\0';
	close(fds[0]);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	assert_non_null(strstr(said, " !     heroku-jemalloc ran out of memory"));
}

static void misspelled_settings(void **state)
{
	(void)state;
	assert_string_equal(setting_nearest("JEMALLOC_ENABLE"), "JEMALLOC_ENABLED");
	assert_string_equal(setting_nearest("JEMALLOC_VERISON"), "JEMALLOC_VERSION");
	assert_string_equal(setting_nearest("malloc_conf"), "MALLOC_CONF");
	assert_non_null(setting_nearest("JEMALLOC_TURBO")); /* any JEMALLOC_ name is meant for us */
	assert_null(setting_nearest("JEMALLOC_ENABLED"));
	assert_null(setting_nearest("MALLOC_CONF"));
	assert_null(setting_nearest("LD_PRELOAD")); /* read, and explained apart */
	assert_null(setting_nearest("MALLOC_ARENA_MAX"));
	assert_null(setting_nearest("DATABASE_URL"));
	for (size_t i = 0; i < SETTING_COUNT; i++) {
		assert_null(setting_nearest(setting_table[i].name));
		assert_true(setting_table[i].when == SETTING_BUILD || setting_table[i].when == SETTING_START);
		assert_true(*setting_table[i].dflt && *setting_table[i].accepts && *setting_table[i].help);
	}
}

/* The newest version of VERSIONS.txt's rows that starts with PREFIX, found by
 * reading the rows in order (not by catalog_pick, which it checks). */
static const char *newest_with(const struct catalog *c, const char *prefix)
{
	const char *best = NULL;
	for (size_t i = 0; i < c->n; i++)
		if (strncmp(c->r[i].version, prefix, strlen(prefix)) == 0)
			best = c->r[i].version;
	return best;
}

static void releases(void **state)
{
	(void)state;
	struct catalog c;
	assert_int_equal(catalog_load(TOP, &c), 0);
	assert_true(c.n >= 13);
	assert_string_equal(catalog_pick(&c, "")->version, c.r[c.n - 1].version);
	assert_string_equal(catalog_pick(&c, "5.3")->version, newest_with(&c, "5.3."));
	assert_string_equal(catalog_pick(&c, "5.3.0")->version, "5.3.0");
	assert_string_equal(catalog_pick(&c, "5.3.0")->file, "jemalloc-5.3.0.tar.bz2");
	assert_string_equal(catalog_pick(&c, "5.3.0")->sha256, "2db82d1e7119df3e71b7640219b6dfe84789bc0537983c3b7ac4f7189aecfeaa");
	assert_string_equal(catalog_pick(&c, "4")->version, newest_with(&c, "4."));
	assert_null(catalog_pick(&c, "4.9"));
	assert_null(catalog_pick(&c, "5.3.10"));
	catalog_free(&c);
}

static void package_cache(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/pkgcache-test-XXXXXX", hex[65];
	struct sb dir = SB_INIT, a = SB_INIT, deb = SB_INIT;
	assert_non_null(mkdtemp(tmpl));
	assert_int_equal(pkgcache_dir(tmpl, "heroku-24", "amd64", "https://r.invalid/apt", "KEY", &dir), 0);
	/* Another URL or key is another directory: never a package it did not sign. */
	assert_int_equal(pkgcache_dir(tmpl, "heroku-24", "amd64", "https://r.invalid/apt", "KEY2", &a), 0);
	assert_string_not_equal(sb_str(&dir), sb_str(&a));
	const char *revs[] = {"5.3.1-1~heroku24", "5.3.1-2~heroku24", "5.3.1-10~heroku24", NULL};
	for (int i = 0; revs[i]; i++) {
		sb_setf(&a, "%s/dl", tmpl);
		assert_int_equal(fsx_write_atomic(sb_str(&a), revs[i], strlen(revs[i]), 0644), 0);
		sha256_str(revs[i], hex);
		assert_int_equal(pkgcache_put(sb_str(&dir), sb_str(&a), revs[i], "amd64", hex, &deb), 0);
	}
	assert_int_equal(pkgcache_find(sb_str(&dir), "5.3.1", "amd64", &deb), 1);
	assert_non_null(strstr(sb_str(&deb), "5.3.1-10~heroku24")); /* the newest revision wins */
	assert_int_equal(pkgcache_find(sb_str(&dir), "5.3.0", "amd64", &deb), 0);
	/* A changed byte: not intact, so the next revision down is used. */
	assert_int_equal(fsx_write_atomic(sb_str(&deb), "tampered", 8, 0644), 0);
	assert_int_equal(pkgcache_find(sb_str(&dir), "5.3.1", "amd64", &deb), 1);
	assert_non_null(strstr(sb_str(&deb), "5.3.1-2~heroku24"));
	/* A download whose bytes are not the index's is refused and not kept. */
	sb_setf(&a, "%s/dl", tmpl);
	assert_int_equal(fsx_write_atomic(sb_str(&a), "evil", 4, 0644), 0);
	sha256_str("good", hex);
	assert_int_equal(pkgcache_put(sb_str(&dir), sb_str(&a), "5.3.0-1~heroku24", "amd64", hex, &deb), -1);
	assert_int_equal(errno, EBADMSG);
	assert_int_equal(pkgcache_get(sb_str(&dir), "5.3.0-1~heroku24", "amd64", &deb), 0);
	assert_int_equal(fsx_rm_rf(tmpl), 0);
	assert_int_equal(access(tmpl, F_OK), -1);
	sb_release(&dir);
	sb_release(&a);
	sb_release(&deb);
}

static void writes(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/fsx-test-XXXXXX";
	struct sb p = SB_INIT, q = SB_INIT, bad = SB_INIT;
	assert_non_null(mkdtemp(tmpl));
	/* A link planted where the build writes is replaced, never written through. */
	sb_setf(&p, "%s/victim", tmpl);
	assert_int_equal(fsx_write_atomic(sb_str(&p), "keep", 4, 0600), 0);
	sb_setf(&q, "%s/file", tmpl);
	assert_int_equal(symlink(sb_str(&p), sb_str(&q)), 0);
	assert_int_equal(fsx_write_atomic(sb_str(&q), "new", 3, 0644), 0);
	char *text = NULL;
	assert_int_equal(fsx_read(sb_str(&p), &text, 16), 0);
	assert_string_equal(text, "keep");
	free(text);
	/* A directory that is a link is not a directory of ours. */
	sb_setf(&q, "%s/dirlink", tmpl);
	assert_int_equal(symlink("/tmp", sb_str(&q)), 0);
	assert_int_equal(fsx_mkdirs(sb_str(&q), 0755), -1);
	assert_int_equal(fsx_is_real_dir(sb_str(&q)), -1);
	/* rm_rf removes the link, not what it points at. */
	sb_setf(&q, "%s/tree/sub", tmpl);
	assert_int_equal(fsx_mkdirs(sb_str(&q), 0755), 0);
	sb_addf(&q, "/out");
	assert_int_equal(symlink(sb_str(&p), sb_str(&q)), 0);
	sb_setf(&q, "%s/tree", tmpl);
	assert_int_equal(fsx_links_stay_inside(sb_str(&q), &bad), 0);
	assert_non_null(strstr(sb_str(&bad), "./sub/out -> /"));
	assert_int_equal(fsx_rm_rf(sb_str(&q)), 0);
	assert_int_equal(access(sb_str(&p), F_OK), 0);
	/* The exchange: both trees exist before, both after, swapped. */
	sb_setf(&p, "%s/a", tmpl);
	sb_setf(&q, "%s/b", tmpl);
	assert_int_equal(fsx_mkdirs(sb_str(&p), 0755), 0);
	assert_int_equal(fsx_mkdirs(sb_str(&q), 0700), 0);
	assert_int_equal(fsx_exchange(sb_str(&p), sb_str(&q)), 0);
	struct stat st;
	assert_int_equal(stat(sb_str(&q), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0755);
	assert_int_equal(fsx_rm_rf(tmpl), 0);
	sb_release(&p);
	sb_release(&q);
	sb_release(&bad);
}

static void version_scan(void **state)
{
	(void)state;
	char out[32];
	const char lib[] = "\x7f" "ELF junk 1.2.3-4 5.3.1-0-g81034ce1f1373e37dc865038e1bc8eeecf559ce8\0tail padding";
	assert_int_equal(status_scan_version(lib, sizeof lib, out, sizeof out), 1);
	assert_string_equal(out, "5.3.1");
	const char old[] = "x\0004.5.0-0-g04380e79f1e2428bd0ad000bbc6e3d2dfc6b66a5\0 and some more bytes after it";
	assert_int_equal(status_scan_version(old, sizeof old, out, sizeof out), 1);
	assert_string_equal(out, "4.5.0");
	/* 39 hex digits, or no NUL after them: not the version string. */
	const char short_hash[] = "5.3.1-0-g81034ce1f1373e37dc865038e1bc8eeecf559ce\0..........................";
	assert_int_equal(status_scan_version(short_hash, sizeof short_hash, out, sizeof out), 0);
	const char no_nul[] = "5.3.1-0-g81034ce1f1373e37dc865038e1bc8eeecf559ce8x.........................";
	assert_int_equal(status_scan_version(no_nul, sizeof no_nul, out, sizeof out), 0);
	assert_int_equal(status_scan_version("5.3.1-0-g", 9, out, sizeof out), 0); /* cut short: no read past LEN */
}

static void madison(void **state)
{
	(void)state;
	char text[] = "heroku-jemalloc | 5.3.1-1~heroku24 | http://127.0.0.1/apt heroku-24/main amd64 Packages\n"
		      "heroku-jemalloc | 5.3.0-1~heroku24 | http://127.0.0.1/apt heroku-24/main amd64 Packages\n"
		      "other | 1.0 | x\n"
		      "heroku-jemalloc | $(reboot) | x\n"
		      "garbage\n";
	char **v;
	int n;
	assert_int_equal(apt_parse_versions(text, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0], "5.3.1-1~heroku24");
	assert_string_equal(v[1], "5.3.0-1~heroku24");
	apt_versions_free(v, n);
	char none[] = "";
	assert_int_equal(apt_parse_versions(none, &v, &n), 0);
	assert_int_equal(n, 0);
}

static void children(void **state)
{
	(void)state;
	char *out = NULL;
	char *env[] = {"PATH=/usr/bin:/bin", NULL};
	char *echo[] = {"sh", "-c", "echo hi; echo err >&2; exit 3", NULL};
	struct run_opts o = {.argv = echo, .envp = env, .out = &out, .merge_stderr = 1};
	assert_int_equal(run(&o), 3);
	assert_string_equal(out, "hi\nerr\n");
	free(out);
	char *missing[] = {"/nonexistent/program", NULL};
	struct run_opts m = {.argv = missing, .envp = env};
	assert_int_equal(run(&m), RUN_CANNOT_EXEC); /* apart from "it failed" */
	/* A child past its deadline is killed, with what it started: the
	 * grandchild holding the pipe open does not keep us waiting. */
	char *slow[] = {"sh", "-c", "sleep 30 & sleep 30", NULL};
	struct run_opts t = {.argv = slow, .envp = env, .out = &out, .timeout_s = 1};
	time_t start = time(NULL);
	assert_int_equal(run(&t), RUN_TIMEOUT);
	assert_true(time(NULL) - start < 5);
	assert_null(out);
	assert_string_equal(run_how(RUN_TIMEOUT, 1, 0), "killed after 1 s");
}

static int present(const char *top, const char *rel)
{
	char p[512];
	snprintf(p, sizeof p, "%s/jemalloc/%s", top, rel);
	return access(p, F_OK) == 0;
}

static void bounded_cache(void **state)
{
	(void)state;
	char top[] = "/tmp/cache-test-XXXXXX", p[512];
	const char *files[] = {"debs/heroku-24/amd64/r1/a.deb", "debs/heroku-24/amd64/r1/a.deb.sha256",
			       "debs/heroku-24/amd64/r1/a.deb.tree/STAMP",
			       "debs/heroku-22/amd64/r1/b.deb", "debs/heroku-22/amd64/r1/b.deb.sha256",
			       "trees/source-c/.jemalloc/lib/x", "sources/c.tar.bz2", "program/k1/heroku-jemalloc",
			       "program/k2/heroku-jemalloc", NULL};
	assert_non_null(mkdtemp(top));
	for (int i = 0; files[i]; i++) {
		snprintf(p, sizeof p, "%s/jemalloc/%s", top, files[i]);
		*strrchr(p, '/') = '\0';
		assert_int_equal(fsx_mkdirs(p, 0755), 0);
		snprintf(p, sizeof p, "%s/jemalloc/%s", top, files[i]);
		assert_int_equal(fsx_write_atomic(p, "x", 1, 0644), 0);
	}
	const char *a = "debs/heroku-24/amd64/r1/a.deb program/k1", *b = "debs/heroku-22/amd64/r1/b.deb program/k1",
		   *c = "trees/source-c sources/c.tar.bz2 program/k2";
	cache_keep(top, a);
	assert_true(present(top, "debs/heroku-24/amd64/r1/a.deb"));
	assert_true(present(top, "debs/heroku-24/amd64/r1/a.deb.sha256"));
	assert_true(present(top, "debs/heroku-24/amd64/r1/a.deb.tree/STAMP"));
	assert_false(present(top, "debs/heroku-22/amd64/r1/b.deb")); /* no build asked for it */
	assert_false(present(top, "trees/source-c"));
	assert_true(present(top, "program/k2")); /* bin/program's, not the cache's to trim */
	for (int i = 3; files[i]; i++) {
		snprintf(p, sizeof p, "%s/jemalloc/%s", top, files[i]);
		*strrchr(p, '/') = '\0';
		fsx_mkdirs(p, 0755);
		snprintf(p, sizeof p, "%s/jemalloc/%s", top, files[i]);
		fsx_write_atomic(p, "x", 1, 0644);
	}
	cache_keep(top, b);
	cache_keep(top, a); /* back and forth between two stacks: both stay */
	cache_keep(top, b);
	assert_true(present(top, "debs/heroku-24/amd64/r1/a.deb"));
	assert_true(present(top, "debs/heroku-22/amd64/r1/b.deb"));
	for (int i = 5; i < 9; i++) { /* the third build makes its tree */
		snprintf(p, sizeof p, "%s/jemalloc/%s", top, files[i]);
		*strrchr(p, '/') = '\0';
		fsx_mkdirs(p, 0755);
		snprintf(p, sizeof p, "%s/jemalloc/%s", top, files[i]);
		fsx_write_atomic(p, "x", 1, 0644);
	}
	cache_keep(top, c); /* a third build: the oldest of the two goes */
	assert_true(present(top, "trees/source-c/.jemalloc/lib/x"));
	assert_true(present(top, "sources/c.tar.bz2"));
	assert_true(present(top, "program/k2"));
	assert_true(present(top, "debs/heroku-22/amd64/r1/b.deb"));
	assert_true(present(top, "program/k1"));
	assert_false(present(top, "debs/heroku-24/amd64/r1/a.deb"));
	assert_false(present(top, "debs/heroku-24/amd64/r1/a.deb.sha256"));
	assert_false(present(top, "debs/heroku-24/amd64/r1/a.deb.tree"));
	char *recent = NULL;
	snprintf(p, sizeof p, "%s/jemalloc/recent", top);
	assert_int_equal(fsx_read(p, &recent, 4096), 0);
	assert_string_equal(recent, "trees/source-c sources/c.tar.bz2 program/k2\ndebs/heroku-22/amd64/r1/b.deb program/k1\n");
	free(recent);
	assert_int_equal(fsx_rm_rf(top), 0);
}

/* A package's verified tree: used while the package is the bytes it came
 * from, by size and mtime; the record covers one version and MALLOC_CONF. */
static void verified_trees(void **state)
{
	(void)state;
	char top[] = "/tmp/tree-test-XXXXXX", deb[256], jdir[256], p[600], got[32];
	const char *sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	assert_non_null(mkdtemp(top));
	snprintf(deb, sizeof deb, "%s/a.deb", top);
	snprintf(jdir, sizeof jdir, "%s/stage/.jemalloc", top);
	snprintf(p, sizeof p, "%s/lib", jdir);
	assert_int_equal(fsx_write_atomic(deb, "package", 7, 0644), 0);
	assert_int_equal(fsx_mkdirs(p, 0755), 0);
	assert_int_equal(fsx_write_text(jdir, "lib/libjemalloc.so", "x"), 0);
	assert_false(tree_deb_current(deb, NULL)); /* no tree yet */
	assert_int_equal(tree_keep_deb(deb, sha, jdir, NULL), 0);
	assert_true(tree_deb_current(deb, NULL));
	assert_true(tree_deb_current(deb, sha));
	assert_false(tree_deb_current(deb, "f123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
	snprintf(p, sizeof p, "%s.tree/.jemalloc/lib/libjemalloc.so", deb);
	assert_true(access(p, F_OK) == 0);
	/* Kept again over an old tree: replaced whole. */
	assert_int_equal(tree_keep_deb(deb, sha, jdir, NULL), 0);
	assert_true(tree_deb_current(deb, sha));
	/* Bytes added to the package: the stamp no longer matches. */
	FILE *f = fopen(deb, "a");
	assert_non_null(f);
	fputc('x', f);
	fclose(f);
	assert_false(tree_deb_current(deb, sha));
	/* The same size, another date (bytes rewritten in place): not current. */
	assert_int_equal(tree_keep_deb(deb, sha, jdir, NULL), 0);
	assert_true(tree_deb_current(deb, sha));
	struct timespec when[2] = {{.tv_sec = 1000000000}, {.tv_sec = 1000000000}};
	assert_int_equal(utimensat(AT_FDCWD, deb, when, 0), 0);
	assert_false(tree_deb_current(deb, sha));
	/* A garbled stamp: not current. */
	assert_int_equal(tree_keep_deb(deb, sha, jdir, NULL), 0);
	snprintf(p, sizeof p, "%s.tree", deb);
	assert_int_equal(fsx_write_text(p, "STAMP", "7 x\n"), 0);
	assert_false(tree_deb_current(deb, sha));
	/* A link where the package was: refused, whatever it points to. */
	assert_int_equal(tree_keep_deb(deb, sha, jdir, NULL), 0);
	assert_true(tree_deb_current(deb, sha));
	snprintf(p, sizeof p, "%s/other", top);
	assert_int_equal(rename(deb, p), 0);
	assert_int_equal(symlink(p, deb), 0);
	assert_false(tree_deb_current(deb, sha));
	/* The record: the version reported, under one MALLOC_CONF. */
	snprintf(p, sizeof p, "%s.tree", deb);
	assert_false(tree_verified(p, "", NULL, got, sizeof got));
	assert_int_equal(tree_record(p, "5.3.0", "narenas:2", 1, ""), 0);
	assert_true(tree_verified(p, "", "narenas:2", got, sizeof got));
	assert_string_equal(got, "5.3.0");
	assert_true(tree_verified(p, "5.3", "narenas:2", got, sizeof got));
	assert_false(tree_verified(p, "5.2", "narenas:2", got, sizeof got));
	assert_false(tree_verified(p, "", NULL, got, sizeof got));
	assert_false(tree_verified(p, "", "narenas:1", got, sizeof got));
	assert_int_equal(tree_record(p, "5.3.0", NULL, 1, ""), 0);
	assert_true(tree_verified(p, "", "", got, sizeof got));
	/* A tree reached through a link is neither current nor verified, and no
	 * record is written through it. */
	char linked[500], real[500];
	snprintf(linked, sizeof linked, "%s/linked.deb", top);
	assert_int_equal(fsx_write_atomic(linked, "package", 7, 0644), 0);
	assert_int_equal(tree_keep_deb(linked, sha, jdir, NULL), 0);
	assert_int_equal(tree_record(p, "5.3.0", NULL, 1, ""), 0);
	snprintf(real, sizeof real, "%s/real-tree", top);
	snprintf(p, sizeof p, "%s.tree", linked);
	assert_int_equal(rename(p, real), 0);
	assert_int_equal(symlink(real, p), 0);
	assert_false(tree_deb_current(linked, sha));
	snprintf(p, sizeof p, "%s/VERIFIED", real);
	unlink(p);
	snprintf(p, sizeof p, "%s.tree", linked);
	assert_int_equal(tree_record(p, "5.3.0", NULL, 1, ""), -1);
	snprintf(p, sizeof p, "%s/VERIFIED", real);
	assert_int_equal(access(p, F_OK), -1);
	/* A removed entry goes whole: renamed away, then removed. */
	snprintf(p, sizeof p, "%s.tree", deb);
	assert_int_equal(fsx_forget(p), 0);
	assert_int_equal(access(p, F_OK), -1);
	assert_int_equal(fsx_forget(p), 0); /* already gone: done */
	assert_int_equal(fsx_rm_rf(top), 0);
}

/* The listing a copy makes, and the record it is checked against: a file
 * truncated, replaced (same size), added, or its mode changed, is named. */
static void tree_listings(void **state)
{
	(void)state;
	char top[] = "/tmp/listing-test-XXXXXX", dir[256], tree[300], p[600], got[32];
	struct sb files = SB_INIT, again = SB_INIT, why = SB_INIT;
	assert_non_null(mkdtemp(top));
	snprintf(dir, sizeof dir, "%s/cached", top);
	snprintf(tree, sizeof tree, "%s/.jemalloc", dir);
	snprintf(p, sizeof p, "%s/lib", tree);
	assert_int_equal(fsx_mkdirs(p, 0755), 0);
	assert_int_equal(fsx_write_text(tree, "lib/libjemalloc.so.2", "library bytes"), 0);
	assert_int_equal(symlink("libjemalloc.so.2", strcat(p, "/libjemalloc.so")), 0);
	snprintf(p, sizeof p, "%s/a", top);
	assert_int_equal(fsx_copy_tree(tree, p, &files), 0);
	/* Sorted, one line an entry, the bytes' size and hash. */
	char hex[65], want[1024];
	sha256_str("library bytes", hex);
	snprintf(want, sizeof want,
		 ".\td 0755\n./lib\td 0755\n./lib/libjemalloc.so\tl libjemalloc.so.2\n./lib/libjemalloc.so.2\tf 0644 13 %s\n",
		 hex);
	assert_string_equal(sb_str(&files), want);
	/* No record yet, then one: the same listing matches. */
	assert_false(tree_files_match(dir, sb_str(&files), &why));
	assert_string_equal(sb_str(&why), "no record");
	assert_int_equal(tree_record(dir, "5.3.0", NULL, 1, sb_str(&files)), 0);
	assert_true(tree_files_match(dir, sb_str(&files), &why));
	assert_true(tree_verified(dir, "5.3", NULL, got, sizeof got));
	/* Loaded with warnings: the files are recorded, no MALLOC_CONF proved. */
	assert_int_equal(tree_record(dir, "5.3.0", "x:1", 0, sb_str(&files)), 0);
	assert_true(tree_files_match(dir, sb_str(&files), &why));
	assert_false(tree_verified(dir, "5.3", "x:1", got, sizeof got));
	assert_int_equal(tree_record(dir, "5.3.0", NULL, 1, sb_str(&files)), 0);
	/* Truncated, replaced with bytes of the same size, a file added: each
	 * seen by the next copy's listing, and named. */
	const char *bad[][2] = {{"lib/libjemalloc.so.2", "library"},
				{"lib/libjemalloc.so.2", "LIBRARY BYTES"},
				{"lib/extra.so", "x"}};
	for (int i = 0; i < 3; i++) {
		assert_int_equal(fsx_write_text(tree, bad[i][0], bad[i][1]), 0);
		snprintf(p, sizeof p, "%s/b%d", top, i);
		assert_int_equal(fsx_copy_tree(tree, p, &again), 0);
		assert_false(tree_files_match(dir, sb_str(&again), &why));
		assert_string_equal(sb_str(&why), bad[i][0]);
		if (i < 2)
			assert_int_equal(fsx_write_text(tree, bad[i][0], "library bytes"), 0);
	}
	snprintf(p, sizeof p, "%s/lib/extra.so", tree);
	assert_int_equal(unlink(p), 0);
	snprintf(p, sizeof p, "%s/lib/libjemalloc.so.2", tree);
	assert_int_equal(chmod(p, 0755), 0);
	snprintf(p, sizeof p, "%s/c", top);
	assert_int_equal(fsx_copy_tree(tree, p, &again), 0);
	assert_false(tree_files_match(dir, sb_str(&again), &why));
	assert_string_equal(sb_str(&why), "lib/libjemalloc.so.2");
	/* A record of the old form (no listing) matches nothing. */
	assert_int_equal(fsx_write_text(dir, "VERIFIED", "5.3.0\n-\n"), 0);
	assert_false(tree_files_match(dir, sb_str(&files), &why));
	assert_string_equal(sb_str(&why), "it lists no files");
	sb_release(&files);
	sb_release(&again);
	sb_release(&why);
	assert_int_equal(fsx_rm_rf(top), 0);
}

/* A FIFO planted where a file to copy should be: refused at once (no open
 * that waits for a writer), and nothing made in its place; a link there is
 * refused too. tests/unit.test runs this under timeout(1): a hang is a
 * failure. */
static void copy_refuses_fifos(void **state)
{
	(void)state;
	char top[] = "/tmp/fifo-test-XXXXXX", from[300], to[300];
	assert_non_null(mkdtemp(top));
	snprintf(from, sizeof from, "%s/jemalloc-status", top);
	snprintf(to, sizeof to, "%s/copy", top);
	assert_int_equal(mkfifo(from, 0644), 0);
	errno = 0;
	assert_int_equal(fsx_copy_file(from, to, 0755), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(access(to, F_OK), -1);
	assert_int_equal(unlink(from), 0);
	assert_int_equal(symlink("/etc/passwd", from), 0);
	assert_int_equal(fsx_copy_file(from, to, 0755), -1);
	assert_int_equal(access(to, F_OK), -1);
	/* A regular file still copies, with its bytes and the mode asked for. */
	assert_int_equal(unlink(from), 0);
	assert_int_equal(fsx_write_atomic(from, "bytes", 5, 0600), 0);
	assert_int_equal(fsx_copy_file(from, to, 0755), 0);
	char *text = NULL;
	assert_int_equal(fsx_read(to, &text, 16), 0);
	assert_string_equal(text, "bytes");
	free(text);
	struct stat st;
	assert_int_equal(stat(to, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	assert_int_equal(fsx_rm_rf(top), 0);
}

/* A package the index now gives another hash for: dropped with its record
 * and tree, so that it is downloaded again. */
static void reissued_packages(void **state)
{
	(void)state;
	char top[] = "/tmp/reissue-test-XXXXXX", from[300], hex[65], other[65], p[600];
	struct sb dir = SB_INIT, deb = SB_INIT;
	assert_non_null(mkdtemp(top));
	assert_int_equal(pkgcache_dir(top, "heroku-24", "amd64", "https://r.invalid/apt", "KEY", &dir), 0);
	/* The repository's id is a whole SHA-256. */
	assert_int_equal(strlen(strrchr(sb_str(&dir), '/') + 1), 64);
	snprintf(from, sizeof from, "%s/download.deb", top);
	assert_int_equal(fsx_write_atomic(from, "first bytes", 11, 0644), 0);
	sha256_str("first bytes", hex);
	sha256_str("second bytes", other);
	assert_int_equal(pkgcache_put(sb_str(&dir), from, "5.3.1-1~heroku24", "amd64", hex, &deb), 0);
	snprintf(p, sizeof p, "%s.tree/.jemalloc", sb_str(&deb));
	assert_int_equal(fsx_mkdirs(p, 0755), 0);
	assert_int_equal(pkgcache_get_signed(sb_str(&dir), "5.3.1-1~heroku24", "amd64", hex, &deb), 1);
	assert_int_equal(pkgcache_get_signed(sb_str(&dir), "5.3.1-1~heroku24", "amd64", other, &deb), 2);
	assert_int_equal(access(sb_str(&deb), F_OK), -1);
	snprintf(p, sizeof p, "%s.tree", sb_str(&deb));
	assert_int_equal(access(p, F_OK), -1);
	snprintf(p, sizeof p, "%s.sha256", sb_str(&deb));
	assert_int_equal(access(p, F_OK), -1);
	assert_int_equal(pkgcache_get_signed(sb_str(&dir), "5.3.1-1~heroku24", "amd64", other, &deb), 0);
	sb_release(&dir);
	sb_release(&deb);
	assert_int_equal(fsx_rm_rf(top), 0);
}

/* A user and password in JEMALLOC_APT_URL: out of the sources list, into
 * apt's auth.conf, mode 0600. */
static void apt_credentials(void **state)
{
	(void)state;
	struct sb plain = SB_INIT, auth = SB_INIT, p = SB_INIT;
	apt_split_url("https://me:s3cr:et@r.invalid:8443/apt", &plain, &auth);
	assert_string_equal(sb_str(&plain), "https://r.invalid:8443/apt");
	assert_string_equal(sb_str(&auth), "machine https://r.invalid:8443/apt\nlogin me\npassword s3cr:et\n");
	apt_split_url("http://token@r.invalid/apt", &plain, &auth);
	assert_string_equal(sb_str(&plain), "http://r.invalid/apt");
	assert_string_equal(sb_str(&auth), "machine http://r.invalid/apt\nlogin token\npassword \n");
	apt_split_url("https://r.invalid/a@b", &plain, &auth);
	assert_string_equal(sb_str(&plain), "https://r.invalid/a@b");
	assert_int_equal(auth.len, 0);
	char top[] = "/tmp/apt-test-XXXXXX";
	struct apt a = {SB_INIT, SB_INIT, NULL};
	struct stat st;
	char *text = NULL;
	assert_non_null(mkdtemp(top));
	assert_int_equal(apt_init(&a, top, "heroku-24", "amd64", "https://me:pw@r.invalid/apt", "/k.asc"), 0);
	assert_int_equal(fsx_read(sb_str(&a.sources), &text, 4096), 0);
	assert_null(strstr(text, "pw"));
	assert_non_null(strstr(text, " https://r.invalid/apt heroku-24 main"));
	free(text);
	sb_setf(&p, "%s/auth.conf", sb_str(&a.dir));
	assert_int_equal(stat(sb_str(&p), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(fsx_read(sb_str(&p), &text, 4096), 0);
	assert_string_equal(text, "machine https://r.invalid/apt\nlogin me\npassword pw\n");
	free(text);
	apt_release(&a);
	sb_release(&plain);
	sb_release(&auth);
	sb_release(&p);
	assert_int_equal(fsx_rm_rf(top), 0);
}

/* A child's stdin from a buffer: what it reads is the bytes, and nothing
 * of them is on its argv. */
static void child_stdin(void **state)
{
	(void)state;
	char *out = NULL;
	char *argv[] = {"cat", NULL};
	struct run_opts ro = {.argv = argv, .envp = run_env(), .out = &out, .in = "url = \"http://u:p@h/\"\n"};
	assert_int_equal(run(&ro), 0);
	assert_string_equal(out, "url = \"http://u:p@h/\"\n");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(version_requests), cmocka_unit_test(version_ordering),
		cmocka_unit_test(version_picking),  cmocka_unit_test(envdir_reading),
		cmocka_unit_test(wants),            cmocka_unit_test(script_has_no_build_values),
		cmocka_unit_test(stacks),
		cmocka_unit_test(exec_d),           cmocka_unit_test(urls),
		cmocka_unit_test(hashing),          cmocka_unit_test(buffers), cmocka_unit_test(misspelled_settings),
		cmocka_unit_test(releases),         cmocka_unit_test(package_cache),
		cmocka_unit_test(writes),           cmocka_unit_test(version_scan),
		cmocka_unit_test(madison),          cmocka_unit_test(children),
		cmocka_unit_test(bounded_cache),    cmocka_unit_test(verified_trees),
		cmocka_unit_test(tree_listings),    cmocka_unit_test(reissued_packages),
		cmocka_unit_test(apt_credentials),  cmocka_unit_test(child_stdin),
		cmocka_unit_test(copy_refuses_fifos),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
