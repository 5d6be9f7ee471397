/* What this program was built from: the hash of the buildpack's src/ files
 * (*.c, *.h, *.sh and the Makefile: names and contents, in name order), the stack and the machine, the key by
 * which bin/program knows a cached build of the program is current. */
#ifndef PROGKEY_H
#define PROGKEY_H

/* A key is this many hex digits (of a SHA-256); with its NUL, PROGKEY_SIZE. */
#define PROGKEY_LEN 16
#define PROGKEY_SIZE (PROGKEY_LEN + 1)
/* The most one source file may hold. */
#define PROGKEY_SOURCE_MAX (1u << 22)
/* bin/program's questions (current, key, ...) end after this many seconds. */
#define PROGKEY_ALARM_S 60

/* Writes the 16-hex-digit key for BP_DIR/src and this stack and machine. */
int progkey_compute(const char *bp_dir, char key[PROGKEY_SIZE]);

/* The 16-hex-digit hash of BP_DIR/src alone: what a prebuilt program of the
 * release tarball (scripts/package) is compiled with, as PROGKEY_SOURCE. */
int progkey_source(const char *bp_dir, char key[PROGKEY_SIZE]);

/* 1 when this program was prebuilt from exactly BP_DIR/src (its
 * PROGKEY_SOURCE is their hash now); 0 for a program built without one. */
int progkey_prebuilt(const char *bp_dir);

/* 1 when the KEY file beside this program (/proc/self/exe) holds the key of
 * BP_DIR/src now: the cached program may run. The sources are read and
 * hashed every time: sizes and dates say nothing (pack gives every file the
 * same date, and a one-character fix keeps the size). */
int progkey_current(const char *bp_dir);

#endif
