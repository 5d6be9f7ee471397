#include "apt.h"

#include "fsx.h"
#include "run.h"
#include "sha256.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* apt retries, and gives up on a stalled connection, by itself; the child's
 * deadline covers what apt does not. */
#define APT_TIMEOUT 240

void apt_split_url(const char *url, struct sb *plain, struct sb *auth)
{
	const char *host = strstr(url, "://"), *end, *at = NULL;
	sb_reset(auth);
	if (!host) {
		sb_setf(plain, "%s", url);
		return;
	}
	host += 3;
	end = host + strcspn(host, "/");
	for (const char *p = host; p < end; p++)
		if (*p == '@')
			at = p; /* the last one: url_display's rule */
	if (!at) {
		sb_setf(plain, "%s", url);
		return;
	}
	size_t user = strcspn(host, ":@");
	const char *pass = host[user] == ':' && host + user < at ? host + user + 1 : at;
	/* apt_auth.conf(5): a machine with its scheme (without one, an entry
	 * is only for https), the URL's path, then login and password. */
	sb_setf(plain, "%.*s%s", (int)(host - url), url, at + 1);
	sb_setf(auth, "machine %.*s%s\nlogin %.*s\npassword %.*s\n", (int)(host - url), url, at + 1, (int)user, host,
		(int)(at - pass), pass);
}

int apt_init(struct apt *a, const char *cache_dir, const char *stack, const char *arch, const char *url,
	     const char *keyring)
{
	struct sb p = SB_INIT, plain = SB_INIT, auth = SB_INIT;
	const char *subs[] = {"cache/archives/partial", "state/lists/partial", "parts", "auth.conf.d", NULL};
	int r = -1;
	a->arch = arch;
	sb_setf(&a->dir, "%s/jemalloc/apt/%s-%s", cache_dir, stack, arch);
	sb_setf(&a->sources, "%s/sources.list", sb_str(&a->dir));
	for (int i = 0; subs[i]; i++) {
		sb_setf(&p, "%s/%s", sb_str(&a->dir), subs[i]);
		if (fsx_mkdirs(sb_str(&p), 0755) < 0)
			goto out;
	}
	sb_setf(&p, "%s/status", sb_str(&a->dir));
	if (fsx_write_atomic(sb_str(&p), "", 0, 0644) < 0)
		goto out;
	/* A user and password in the URL go to apt's own auth.conf, 0600,
	 * never into the sources list (0644, like the rest of the cache). */
	sb_setf(&p, "%s/auth.conf", sb_str(&a->dir));
	apt_split_url(url, &plain, &auth);
	if (fsx_write_atomic(sb_str(&p), sb_str(&auth), auth.len, 0600) < 0)
		goto out;
	sb_setf(&p, "deb [signed-by=%s arch=%s] %s %s main\n", keyring, arch, sb_str(&plain), stack);
	r = fsx_write_atomic(sb_str(&a->sources), sb_str(&p), p.len, 0644);
out:
	sb_release(&p);
	sb_release(&plain);
	sb_release(&auth);
	return r;
}

void apt_release(struct apt *a)
{
	sb_release(&a->dir);
	sb_release(&a->sources);
}

/* Runs PROG (apt-get or apt-cache) with our options, then ARGS. */
static int apt_run(const struct apt *a, const char *prog, const char *const *args, const char *cwd, char **out)
{
	struct sb o[9] = {SB_INIT, SB_INIT, SB_INIT, SB_INIT, SB_INIT, SB_INIT, SB_INIT, SB_INIT, SB_INIT};
	const char *argv[48];
	int n = 0, rc = -1;
	const char *d = sb_str(&a->dir);
	argv[n++] = prog;
	argv[n++] = "-q";
	sb_setf(&o[0], "Dir::Cache=%s/cache", d);
	sb_setf(&o[1], "Dir::State=%s/state", d);
	sb_setf(&o[2], "Dir::State::status=%s/status", d);
	sb_setf(&o[3], "Dir::Etc::SourceList=%s", sb_str(&a->sources));
	sb_setf(&o[4], "Dir::Etc::SourceParts=%s/parts", d);
	sb_setf(&o[5], "APT::Architecture=%s", a->arch);
	sb_setf(&o[6], "Debug::NoLocking=true");
	sb_setf(&o[7], "Dir::Etc::netrc=%s/auth.conf", d);
	sb_setf(&o[8], "Dir::Etc::netrcparts=%s/auth.conf.d", d);
	for (int i = 0; i < 9; i++) {
		argv[n++] = "-o";
		argv[n++] = sb_str(&o[i]);
	}
	/* A repository that stalls: apt gives up after 15 s without data, and
	 * tries three times at most. */
	const char *fixed[] = {"Acquire::Retries=3", "Acquire::http::Timeout=15", "Acquire::https::Timeout=15", NULL};
	for (int i = 0; fixed[i]; i++) {
		argv[n++] = "-o";
		argv[n++] = fixed[i];
	}
	/* As root, apt would hand downloads to its _apt user, who cannot enter a
	 * private cache dir (and says so in a warning). Dynos never build as root. */
	if (geteuid() == 0) {
		argv[n++] = "-o";
		argv[n++] = "APT::Sandbox::User=root";
	}
	for (int i = 0; args[i] && n < 47; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	struct run_opts ro = {.argv = (char *const *)argv, .envp = run_env(), .cwd = cwd, .out = out,
			      .merge_stderr = 1, .timeout_s = APT_TIMEOUT};
	rc = run(&ro);
	for (int i = 0; i < 9; i++)
		sb_release(&o[i]);
	return rc;
}

/* Every update starts from empty lists: the index is a few kilobytes, and a
 * list kept from an earlier build must never stand in for one that could not
 * be fetched or verified now (apt-get update only warns, and exits 0, when a
 * source fails and an old list is there). Any warning or error is a failure. */
int apt_update(const struct apt *a, char **out)
{
	struct sb lists = SB_INIT;
	const char *args[] = {"-o", "APT::Update::Error-Mode=any", "update", NULL};
	*out = NULL;
	sb_setf(&lists, "%s/state/lists", sb_str(&a->dir));
	if (fsx_rm_rf(sb_str(&lists)) < 0) {
		sb_release(&lists);
		return -1;
	}
	sb_addf(&lists, "/partial");
	if (fsx_mkdirs(sb_str(&lists), 0755) < 0) {
		sb_release(&lists);
		return -1;
	}
	sb_release(&lists);
	int rc = apt_run(a, "apt-get", args, NULL, out);
	if (rc == 0 && *out &&
	    (strncmp(*out, "W:", 2) == 0 || strncmp(*out, "E:", 2) == 0 || strstr(*out, "\nW:") || strstr(*out, "\nE:")))
		rc = 100;
	return rc;
}

int apt_parse_versions(char *text, char ***versions, int *n)
{
	char **v = NULL;
	*n = 0;
	*versions = NULL;
	/* "heroku-jemalloc | 5.3.1-1~herokuNN | http://... heroku-NN/main amd64 Packages" */
	for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char name[64], ver[64];
		if (sscanf(l, " %63s | %63s |", name, ver) != 2 || strcmp(name, "heroku-jemalloc") != 0 ||
		    strspn(ver, "0123456789.-~+abcdefghijklmnopqrstuvwxyz") != strlen(ver) || !isdigit((unsigned char)ver[0]))
			continue;
		v = xrealloc(v, sizeof *v * (size_t)(*n + 1));
		v[(*n)++] = xstrdup(ver);
	}
	*versions = v;
	return 0;
}

int apt_versions(const struct apt *a, char ***versions, int *n, char **out)
{
	const char *args[] = {"madison", "heroku-jemalloc", NULL};
	int rc = apt_run(a, "apt-cache", args, NULL, out);
	*n = 0;
	*versions = NULL;
	if (rc != 0)
		return rc;
	return apt_parse_versions(*out, versions, n);
}

void apt_versions_free(char **versions, int n)
{
	for (int i = 0; i < n; i++)
		free(versions[i]);
	free(versions);
}

int apt_index_sha256(const struct apt *a, const char *version, char hex[65])
{
	struct sb spec = SB_INIT;
	char *out = NULL;
	int rc = -1;
	sb_setf(&spec, "heroku-jemalloc=%s", version);
	const char *args[] = {"show", sb_str(&spec), NULL};
	if (apt_run(a, "apt-cache", args, NULL, &out) == 0 && out) {
		/* The record apt verified against InRelease: "SHA256: <64 hex>". */
		for (char *save = NULL, *l = strtok_r(out, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
			if (strncmp(l, "SHA256: ", 8) == 0 && strlen(l + 8) == 64 && sha256_hex_ok(l + 8)) {
				memcpy(hex, l + 8, 65);
				rc = 0;
				break;
			}
	}
	free(out);
	sb_release(&spec);
	return rc;
}

int apt_download(const struct apt *a, const char *version, const char *dir, char **out)
{
	struct sb spec = SB_INIT;
	sb_setf(&spec, "heroku-jemalloc=%s", version);
	const char *args[] = {"download", sb_str(&spec), NULL};
	int rc = apt_run(a, "apt-get", args, dir, out);
	sb_release(&spec);
	return rc;
}

int apt_refused(const char *out)
{
	const char *signs[] = {"NO_PUBKEY", "Missing key", "is not signed", "signature", "Signature",
			       "Hash Sum mismatch", "unexpected size", "not valid", NULL};
	for (int i = 0; out && signs[i]; i++)
		if (strstr(out, signs[i]))
			return 1;
	return 0;
}
