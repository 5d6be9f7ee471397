/* Output in Heroku's voice: "-----> " steps, detail indented seven spaces,
 * errors on stderr as " !     " lines saying what, why and what to do. */
#ifndef LOG_H
#define LOG_H

/* Exit codes, stable: see README "Exit codes". */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,    /* the build cannot go on: the message says why */
	EXIT_USAGE = 2,   /* wrong arguments to the program itself */
};

void log_step(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_detail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* One " !     " line on stderr per call. */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Indents every line of BUF as detail. */
void log_indent(const char *buf);

#endif
