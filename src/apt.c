#include "apt.h"

#include "fsx.h"
#include "run.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


int apt_init(struct apt *a, const char *cache_dir, const char *stack, const char *arch,
	     const char *url, const char *keyring)
{
	char line[8192], sub[4096];
	const char *subs[] = {"cache/archives/partial", "state/lists/partial", "parts", NULL};
	a->arch = arch;
	if (fsx_path(a->dir, sizeof a->dir, "%s/jemalloc/apt/%s-%s", cache_dir, stack, arch) < 0 ||
	    fsx_path(a->sources, sizeof a->sources, "%s/sources.list", a->dir) < 0)
		return -1;
	for (int i = 0; subs[i]; i++)
		if (fsx_path(sub, sizeof sub, "%s/%s", a->dir, subs[i]) < 0 || fsx_mkdirs(sub, 0755) < 0)
			return -1;
	if (fsx_path(sub, sizeof sub, "%s/status", a->dir) < 0 || fsx_write_atomic(sub, "", 0, 0644) < 0)
		return -1;
	if (fsx_path(line, sizeof line, "deb [signed-by=%s arch=%s] %s %s main\n", keyring, arch, url, stack) < 0)
		return -1;
	return fsx_write_atomic(a->sources, line, strlen(line), 0644);
}

/* Runs PROG (apt-get or apt-cache) with our options, then ARGS. */
static int apt_run(const struct apt *a, const char *prog, const char *const *args, const char *cwd, char **out)
{
	char o[7][4200];
	const char *argv[32];
	int n = 0, rc;
	argv[n++] = prog;
	argv[n++] = "-q";
	if (fsx_path(o[0], sizeof o[0], "Dir::Cache=%s/cache", a->dir) < 0 ||
	    fsx_path(o[1], sizeof o[1], "Dir::State=%s/state", a->dir) < 0 ||
	    fsx_path(o[2], sizeof o[2], "Dir::State::status=%s/status", a->dir) < 0 ||
	    fsx_path(o[3], sizeof o[3], "Dir::Etc::SourceList=%s", a->sources) < 0 ||
	    fsx_path(o[4], sizeof o[4], "Dir::Etc::SourceParts=%s/parts", a->dir) < 0 ||
	    fsx_path(o[5], sizeof o[5], "APT::Architecture=%s", a->arch) < 0 ||
	    fsx_path(o[6], sizeof o[6], "Debug::NoLocking=true") < 0)
		return -1;
	for (int i = 0; i < 7; i++) {
		argv[n++] = "-o";
		argv[n++] = o[i];
	}
	argv[n++] = "-o";
	argv[n++] = "Acquire::Retries=3";
	/* As root, apt would hand downloads to its _apt user, who cannot enter a
	 * private cache dir (and says so in a warning). Dynos never build as root. */
	if (geteuid() == 0) {
		argv[n++] = "-o";
		argv[n++] = "APT::Sandbox::User=root";
	}
	for (int i = 0; args[i] && n < 31; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	struct run_opts ro = {.argv = (char *const *)argv, .envp = run_env(), .cwd = cwd, .out = out, .merge_stderr = 1};
	*out = NULL;
	rc = run(&ro);
	return rc;
}

/* Every update starts from empty lists: the index is a few kilobytes, and a
 * list kept from an earlier build must never stand in for one that could not
 * be fetched or verified now (apt-get update only warns, and exits 0, when a
 * source fails and an old list is there). Any warning or error is a failure. */
int apt_update(const struct apt *a, char **out)
{
	char lists[4200];
	const char *args[] = {"-o", "APT::Update::Error-Mode=any", "update", NULL};
	const char *rm[] = {"rm", "-rf", "--", lists, NULL};
	if (fsx_path(lists, sizeof lists, "%s/state/lists", a->dir) < 0)
		return -1;
	struct run_opts ro = {.argv = (char *const *)rm, .envp = run_env()};
	if (run(&ro) != 0)
		return -1;
	if (fsx_path(lists, sizeof lists, "%s/state/lists/partial", a->dir) < 0 || fsx_mkdirs(lists, 0755) < 0)
		return -1;
	int rc = apt_run(a, "apt-get", args, NULL, out);
	if (rc == 0 && *out && (strncmp(*out, "W:", 2) == 0 || strncmp(*out, "E:", 2) == 0 ||
				strstr(*out, "\nW:") || strstr(*out, "\nE:")))
		rc = 100;
	return rc;
}

int apt_versions(const struct apt *a, char ***versions, int *n, char **out)
{
	const char *args[] = {"madison", "heroku-jemalloc", NULL};
	int rc = apt_run(a, "apt-cache", args, NULL, out);
	char **v = NULL;
	*n = 0;
	*versions = NULL;
	if (rc != 0)
		return rc;
	/* "heroku-jemalloc | 5.3.1-1~heroku24 | http://... heroku-24/main amd64 Packages" */
	for (char *save = NULL, *l = strtok_r(*out, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char name[64], ver[64];
		if (sscanf(l, " %63s | %63s |", name, ver) != 2 || strcmp(name, "heroku-jemalloc") != 0)
			continue;
		char **nv = realloc(v, sizeof *v * (size_t)(*n + 1));
		if (!nv || !(nv[*n] = strdup(ver))) {
			free(nv ? nv : v);
			return -1;
		}
		v = nv;
		(*n)++;
	}
	*versions = v;
	return 0;
}

int apt_download(const struct apt *a, const char *version, const char *dir, char **out)
{
	char spec[128];
	if (fsx_path(spec, sizeof spec, "heroku-jemalloc=%s", version) < 0)
		return -1;
	const char *args[] = {"download", spec, NULL};
	return apt_run(a, "apt-get", args, dir, out);
}
