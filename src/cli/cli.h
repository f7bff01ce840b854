/* cli.h - the `simpul` command: one function per command, each with --help. */
#ifndef SIMPUL_CLI_H
#define SIMPUL_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

int cmd_init(int argc, char **argv);
int cmd_agency(int argc, char **argv);     /* agency add|list */
int cmd_token(int argc, char **argv);      /* token create|revoke */
int cmd_normalize(int argc, char **argv);
int cmd_audit(int argc, char **argv);      /* audit verify|export */
int cmd_import(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_run(int argc, char **argv);        /* the demo node */
int cmd_screen(int argc, char **argv);     /* bulk screening (cmd_ppp.c) */
int cmd_person(int argc, char **argv);     /* person search */
int cmd_import_persons(const char *db, const char *agency, const char *format, const char *file,
    const char *alt, bool json, int flags);
/* cmd_formats.c: simpul export, and simpul import --format csv. */
int cmd_export(int argc, char **argv);
int import_misp(const char *db, const char *agency, const char *file, bool dry_run, bool json,
    int node_flags);
int import_stix(const char *db, const char *agency, const char *file, bool dry_run, bool json,
    int node_flags);
int import_csv(const char *db, const char *agency, const char *file, const char *mapping,
    bool dry_run, bool json, int node_flags);
int cmd_user(int argc, char **argv);       /* user add|passwd (web sign-in) */
int cmd_generic(int argc, char **argv);    /* generic show|override|rules|list (cmd_generic.c) */

/* True when argv holds -h or --help. */
bool cli_wants_help(int argc, char **argv);
/* Print "simpul: <msg>" to stderr and return the exit code 2 (usage) or 1. */
int cli_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A progress bar on stderr when it is a terminal; silent otherwise. */
struct progress {
	const char *label;
	uint64_t    total;     /* 0 = unknown */
	uint64_t    done;
	int64_t     start_us, last_us;
	bool        tty;
};
void progress_start(struct progress *p, const char *label, uint64_t total);
void progress_update(struct progress *p, uint64_t done);
void progress_end(struct progress *p);

#endif
