/* esplash-port-owner.h: which processes hold a serial port open (Linux:
 * /proc/<pid>/fd), and whether known port grabbers run (brltty,
 * ModemManager). Used by the diagnosis engine for "port busy".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A process that has the port open (from /proc/<pid>/fd on Linux). */
typedef struct {
  gint  pid;
  char *name;      /* comm: "ModemManager", "screen", "sleep" */
  char *cmdline;   /* arguments joined by spaces; nullable */
} EsplashPortHolder;

void esplash_port_holder_free (EsplashPortHolder *holder);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EsplashPortHolder, esplash_port_holder_free)

/* Every other process that has @path open (resolved through symlinks).
 * Processes of other users are invisible without privilege. Never NULL;
 * element type EsplashPortHolder. Empty where /proc does not exist. */
GPtrArray *esplash_port_find_holders (const char *path);
/* The first process whose comm is @name ("brltty"), 0 if none. */
gint       esplash_process_find      (const char *name);

G_END_DECLS
