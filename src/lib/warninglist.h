/* warninglist.h - warning lists of benign values (MISP warninglist JSON):
 * a selector on one of them never links reports into a network.
 *
 * Accepted list types and how they match selector keys:
 *  - "hostname": entries lowercased, dots trimmed; a host matches when it or
 *    any parent domain is listed (MISP's rule). Applies to domain: keys and
 *    to url: keys whose path is empty or "/" (a site's home page; a URL with
 *    a path on a shortener or a big platform still links).
 *  - "string": exact match of the host (or of an ip: value); an entry that
 *    begins with "." covers that name and every subdomain (the google and
 *    microsoft lists write 194 and 119 entries that way, meaning a suffix).
 *  - "cidr": ip: keys inside any listed IPv4 or IPv6 range (a bare address is
 *    a /32 or /128).
 * Other types (regex, substring) are refused, naming the field "type". */
#ifndef SIMPUL_WARNINGLIST_H
#define SIMPUL_WARNINGLIST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "util.h"

#define WL_MAX_LISTS    64
#define WL_MAX_ENTRIES  200000   /* per list */
#define WL_MAX_BYTES    (8u * 1024u * 1024u)
#define WL_MAX_NAME     64

struct wlset;

struct wlset *wl_new(void);
void          wl_free(struct wlset *w);
/* Parse one list and add it, replacing a list of the same name. name_out
 * receives the list's name (from "name", made safe). -1 with e: 400/422
 * naming the field ("list[3]", "type", "name"). */
int  wl_add_json(struct wlset *w, const char *text, size_t len, char *name_out, size_t namesz,
    struct err *e);
/* Is key (a canonical selector key) on a list? list receives its name. */
bool wl_match(struct wlset *w, const char *key, char *list, size_t listsz);
/* [{"name","type","entries","description"}] */
json_t *wl_describe(struct wlset *w);

/* The lists shipped with Simpul (JSON files in data/warninglists), compiled in. */
extern const char *const wl_builtin[];
extern const size_t      wl_builtin_len[];

#endif
