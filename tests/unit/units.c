/* Unit tests of the buildpack program's pure parts (cmocka). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/envdir.h"
#include "../../src/preload.h"
#include "../../src/profile.h"
#include "../../src/stack.h"
#include "../../src/version.h"

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
	char why[256];
	assert_true(profile_wants("true", NULL, why, sizeof why));
	assert_string_equal(why, "JEMALLOC_ENABLED=true");
	assert_false(profile_wants(NULL, "web.1", why, sizeof why));
	assert_string_equal(why, "JEMALLOC_ENABLED is not set");
	assert_false(profile_wants("false", "web.1", why, sizeof why));
	assert_true(profile_wants("web,worker", "worker.3", why, sizeof why));
	assert_string_equal(why, "JEMALLOC_ENABLED lists this dyno's type, worker");
	assert_false(profile_wants("web,worker", "release.1", why, sizeof why));
	assert_string_equal(why, "JEMALLOC_ENABLED does not list this dyno's type, release");
	assert_false(profile_wants("web", NULL, why, sizeof why));
	assert_false(profile_wants("TRUE", "web.1", why, sizeof why)); /* exact values only */
	assert_false(profile_wants("webx", "web.1", why, sizeof why));
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
	const char *why = NULL;
	assert_true(stack_supported("heroku-24", &why));
	assert_false(stack_supported("heroku-20", &why));
	assert_string_equal(why, "is end of life");
	assert_false(stack_supported("heroku-99", &why));
	assert_string_equal(why, "is not a stack this buildpack knows");
	assert_false(stack_has_arch("heroku-22", "arm64")); /* no package for that arch */
	assert_true(stack_has_arch("heroku-22", "amd64"));
	assert_true(stack_has_arch("heroku-26", "arm64"));
	assert_false(stack_has_arch("heroku-24", "riscv64"));
}

static void cnb_targets(void **state)
{
	(void)state;
	char stack[64];
	assert_int_equal(stack_from_target("ubuntu", "24.04", stack, sizeof stack), 0);
	assert_string_equal(stack, "heroku-24");
	assert_int_equal(stack_from_target("ubuntu", "22.04", stack, sizeof stack), 0);
	assert_string_equal(stack, "heroku-22");
	assert_int_equal(stack_from_target(NULL, NULL, stack, sizeof stack), 0); /* no target: ask the OS */
	assert_string_equal(stack, "");
	assert_int_equal(stack_from_target("ubuntu", "24.10", stack, sizeof stack), -1); /* not an LTS */
	assert_int_equal(stack_from_target("debian", "12", stack, sizeof stack), -1);
	assert_int_equal(stack_from_target("ubuntu", "24.04x", stack, sizeof stack), -1);
	assert_int_equal(stack_from_target("ubuntu", NULL, stack, sizeof stack), -1);
}

static void exec_d(void **state)
{
	(void)state;
	char out[64], type[32];
	assert_int_equal(toml_quote("/a/b", out, sizeof out), 0);
	assert_string_equal(out, "\"/a/b\"");
	assert_int_equal(toml_quote("q\"b\\n\x01", out, sizeof out), 0);
	assert_string_equal(out, "\"q\\\"b\\\\n\\u0001\"");
	assert_int_equal(toml_quote("0123456789", out, 13), 0); /* exactly fits, NUL included */
	assert_int_equal(toml_quote("0123456789", out, 12), -1);
	assert_int_equal(preload_value("/j.so", NULL, out, sizeof out), 1);
	assert_string_equal(out, "/j.so");
	assert_int_equal(preload_value("/j.so", "", out, sizeof out), 1);
	assert_string_equal(out, "/j.so");
	assert_int_equal(preload_value("/j.so", "/m.so", out, sizeof out), 1);
	assert_string_equal(out, "/j.so:/m.so");
	assert_int_equal(preload_value("/j.so", "/m.so:/j.so", out, sizeof out), 0);
	assert_int_equal(preload_value("/j.so", "/m.so /j.so", out, sizeof out), 0);
	assert_int_equal(preload_value("/j.so", "/j.so.2", out, sizeof out), 1); /* another file */
	assert_int_equal(preload_value("/j.so", "/m.so", out, 8), -1);
	preload_process_type("/cnb/process/web", "worker.1", type, sizeof type);
	assert_string_equal(type, "web"); /* the launcher's own word wins */
	preload_process_type("/cnb/lifecycle/launcher", "worker.1", type, sizeof type);
	assert_string_equal(type, "worker");
	preload_process_type(NULL, NULL, type, sizeof type);
	assert_string_equal(type, "");
	preload_process_type("/cnb/process/", NULL, type, sizeof type);
	assert_string_equal(type, "");
	preload_process_type("/bin/process", NULL, type, sizeof type);
	assert_string_equal(type, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(version_requests), cmocka_unit_test(version_ordering),
		cmocka_unit_test(version_picking),  cmocka_unit_test(envdir_reading),
		cmocka_unit_test(wants),            cmocka_unit_test(script_has_no_build_values),
		cmocka_unit_test(stacks),           cmocka_unit_test(cnb_targets),
		cmocka_unit_test(exec_d),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
