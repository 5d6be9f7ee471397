/* stack.c: a stacks/ file, and /etc/os-release, as the build reads them.
 * Input: the whole file, used as stacks/heroku-24 and as os-release. */
#include "fuzz.h"

#include "../../src/sb.h"
#include "../../src/stack.h"

#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static char os_release[600];
	struct stack st;
	struct sb list = SB_INIT;
	struct sb id = SB_INIT;
	if (!os_release[0]) {
		char stacks[600];
		snprintf(stacks, sizeof stacks, "%s/stacks", fuzz_dir());
		need(mkdir(stacks, 0700) == 0);
		snprintf(os_release, sizeof os_release, "%s/os-release", fuzz_dir());
		setenv("OS_RELEASE", os_release, 1);
		unsetenv("STACK");
	}
	fuzz_put("stacks/heroku-24", data, len);
	fuzz_put("os-release", data, len);
	need(stack_load(fuzz_dir(), "heroku-24", &st) == 1);
	need(strcmp(st.id, "heroku-24") == 0);
	need(memchr(st.ubuntu, '\0', sizeof st.ubuntu) && memchr(st.arches, '\0', sizeof st.arches));
	need(memchr(st.status, '\0', sizeof st.status));
	need(!strchr(st.ubuntu, '\n') && !strchr(st.arches, '\n') && !strchr(st.status, '\n'));
	stack_has_arch(&st, "amd64");
	stack_has_arch(&st, "");
	need(stack_list(fuzz_dir(), "id", &list) == 0);
	need(stack_list(fuzz_dir(), "ubuntu", &list) == 0);
	if (stack_from_target(fuzz_dir(), "ubuntu", st.ubuntu, &id) == 0)
		need(stack_id_ok(sb_str(&id)));
	stack_detect(fuzz_dir(), &id);
	need(!id.len || stack_id_ok(sb_str(&id))); /* a stack name, or none */
	sb_release(&id);
	sb_release(&list);
	return 0;
}
