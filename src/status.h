#ifndef STATUS_H
#define STATUS_H
/* jemalloc-status [PID...]: is jemalloc on in this dyno? */
int status_main(int argc, char **argv);
#endif
