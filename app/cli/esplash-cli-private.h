/* esplash-cli-private.h: the pieces of esplash-cli (options, output, commands).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "esplash.h"

G_BEGIN_DECLS

#define CLI_EXIT_OK        0
#define CLI_EXIT_FAILURE   1
#define CLI_EXIT_USAGE     2
#define CLI_EXIT_CANCELLED 130

#define CLI_DEFAULT_BAUD 460800

/* Output: human text (stdout, warnings and errors on stderr) or one JSON
 * object per line on stdout. Safe to call from the worker thread. */
typedef struct _CliOutput CliOutput;

CliOutput *cli_output_new       (gboolean json, gboolean verbose);
void       cli_output_free      (CliOutput *out);
gboolean   cli_output_is_json   (CliOutput *out);
/* An EsplashEventFunc; @user_data is the CliOutput. */
void       cli_output_event     (const EsplashEvent *event, gpointer user_data);
void       cli_output_message   (CliOutput *out, EsplashLogLevel level,
                                 const char *format, ...) G_GNUC_PRINTF (3, 4);
/* Text mode only: a line on stdout, verbatim (tables, image-info). */
void       cli_output_text      (CliOutput *out, const char *format, ...) G_GNUC_PRINTF (2, 3);
/* JSON mode: the final "result" object with the members of @fields (an
 * object node, nullable). Text mode: nothing. */
void       cli_output_result    (CliOutput *out, const char *command, JsonNode *fields);
/* "error: …" on stderr (or an "error" object); @hint is printed below it. */
void       cli_output_error     (CliOutput *out, const GError *error, const char *hint);
void       cli_output_cancelled (CliOutput *out);
/* What went wrong and how to fix it: a text block on stderr (title,
 * explanation, numbered steps with their commands, "Seen:" evidence), or
 * a {"type": "diagnosis", …} object. @error (nullable) is the error just
 * printed: its evidence line is not repeated in text. */
void       cli_output_diagnosis (CliOutput *out, const EsplashDiagnosis *diagnosis,
                                 const GError *error);
/* JSON mode: @object (an object node) as one line. Text mode: nothing. */
void       cli_output_object    (CliOutput *out, JsonNode *object);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CliOutput, cli_output_free)

typedef struct _CliCommand CliCommand;

/* Everything one run of the program knows: the options as parsed, then
 * what the command prepared before connecting. */
typedef struct {
  /* global options */
  char     **ports;                    /* -p, repeated for several boards */
  char      *baud;
  char      *chip;
  char      *before;
  char      *after;
  gboolean   no_stub;
  char      *stub_dir;
  gboolean   json;
  gboolean   verbose;
  /* write-flash options */
  gboolean   no_compress;
  gboolean   no_skip;
  gboolean   no_verify;
  gboolean   erase_all;
  char      *flash_mode;
  char      *flash_freq;
  char      *flash_size;
  char      *record;                   /* write-flash --record FILE */
  gboolean   all_ports;                /* write-flash --all-ports */
  /* firmware input options (write-flash) */
  gboolean   dry_run;
  gboolean   force;
  /* monitor options (monitor, write-flash --monitor) */
  gboolean   monitor;
  char      *monitor_baud;
  char      *elf;
  gboolean   no_reset;

  /* resolved */
  GStrv                 argv;          /* the command line as given */
  const CliCommand     *command;
  char                 *port_used;     /* the port the session opened */
  GStrv                 args;          /* positional arguments after the command name */
  EsplashConnectOptions connect;
  EsplashAfter          after_value;
  const EsplashChipInfo *chip_info;    /* NULL = auto */
  CliOutput            *out;

  /* prepared by the command */
  GPtrArray  *regions;                 /* EsplashFlashRegion */
  guint32     address;
  guint32     size;
  gboolean    size_all;
  char       *path;
  JsonBuilder *result;                 /* an open object: the command's result members */

  /* firmware inputs (esplash-cli-write.c) */
  EsplashBundle    *bundle;
  EsplashFlashPlan *plan;              /* NULL while the connected chip must pick it */
  GHashTable       *pair_paths;        /* files given as ADDR FILE pairs */
  GArray           *pair_addresses;    /* their addresses, in order (guint32) */
  char            **diff_with;         /* --diff-with files, one per pair ("skip": none) */
  GPtrArray        *diff_bytes;        /* their contents, NULL for skip */
  GStrv             plan_lines;        /* the plan as last printed */
  gint              refusal_exit;      /* the exit status for a refused plan; 0 = none */

  /* for --record: what the session learnt (the chip, the port's USB serial) */
  EsplashChipDescription record_desc;
  gboolean               record_described;
  char                  *usb_serial;

  /* what the session saw (esplash-cli-diagnosis.c) */
  EsplashDiagnosis *diagnosis;         /* of a failure, or a fault seen by a run that worked */
} CliContext;

struct _CliCommand {
  const char *name;
  const char *parameters;              /* "ADDR FILE [ADDR FILE…]" */
  const char *summary;
  guint       min_args;
  guint       max_args;                /* G_MAXUINT: no limit */
  gboolean    needs_device;
  gboolean    write_options;           /* takes --no-compress, --flash-mode … */
  gboolean    plan_options;            /* takes --dry-run, --force */
  const char *description;             /* more help text, nullable */
  /* Checks arguments and reads every input before the port is touched;
   * usage problems are ESPLASH_ERROR_INVALID_ARGUMENT. Nullable. */
  gboolean  (*prepare) (CliContext *ctx, GError **error);
  /* With a connected device when needs_device (and not --dry-run), else
   * @device is NULL. */
  gboolean  (*run)     (CliContext *ctx, EsplashDevice *device,
                        GCancellable *cancellable, GError **error);
  gboolean    monitor_options;         /* takes --elf (and write-flash --monitor) */
};

const CliCommand *cli_command_lookup (const char *name);
const CliCommand *cli_command_list   (guint *n_commands);

/* What esptool prints after connecting (features, crystal, MAC), also as
 * result members. */
gboolean cli_describe (CliContext              *ctx,
                       EsplashDevice           *device,
                       EsplashChipDescription  *desc,
                       GCancellable            *cancellable,
                       GError                 **error);
char    *cli_format_size (guint32 bytes);

/* "0x1000", "4096" → value; sizes also "4MB", "1M", "64k". */
gboolean cli_parse_address (const char *text, guint32 *value, GError **error);
gboolean cli_parse_size    (const char *text, guint32 *value, GError **error);

/* write-flash and verify-flash (esplash-cli-write.c): firmware inputs — ADDR
 * FILE pairs, build folders, flasher_args.json, manifest.json, images —
 * become a plan that is printed and checked before connecting and again
 * against the connected chip. */
gboolean cli_prepare_write  (CliContext *ctx, GError **error);
gboolean cli_prepare_verify (CliContext *ctx, GError **error);
gboolean cli_run_write      (CliContext *ctx, EsplashDevice *device,
                             GCancellable *cancellable, GError **error);
gboolean cli_run_verify     (CliContext *ctx, EsplashDevice *device,
                             GCancellable *cancellable, GError **error);

/* write-flash --record (esplash-cli-record.c): the file can be appended to
 * (checked before connecting); one record of the run just done, @error
 * being its failure (nullable). */
gboolean cli_record_check  (CliContext *ctx, GError **error);
gboolean cli_record_append (CliContext *ctx, gdouble duration_s,
                            const GError *flash_error, GError **error);

/* Diagnoses (esplash-cli-diagnosis.c), on the worker thread. */
EsplashDiagnosis *cli_diagnose_failure (CliContext            *ctx,
                                        const char            *url,
                                        const EsplashPortInfo *info,
                                        EsplashTransport      *transport,
                                        EsplashDevice         *device,
                                        const GError          *error,
                                        GCancellable          *cancellable);
EsplashDiagnosis *cli_diagnose_success (CliContext            *ctx,
                                        EsplashDevice         *device);

/* image-info (esplash-cli-image.c): no device needed. */
gboolean cli_prepare_image_info (CliContext *ctx, GError **error);
gboolean cli_run_image_info     (CliContext *ctx, EsplashDevice *device,
                                 GCancellable *cancellable, GError **error);

/* -p, else the only port that looks like an ESP board. */
char    *cli_resolve_port (CliContext *ctx, GError **error);
/* The same with the port's listing (@info, nullable) and whether a failure
 * is one to diagnose (no port at all is; several candidates are the user's
 * choice), for the session (esplash-cli-ports.c). */
char    *cli_resolve_port_info (CliContext *ctx, EsplashPortInfo **info,
                                gboolean *diagnose, GError **error);

/* write-flash to several boards (esplash-cli-ports.c): -p given more than
 * once, or --all-ports. Each board is flashed by a child esplash-cli with
 * a single -p, its output lines prefixed with its port; returns the exit
 * status (0 only if every board was flashed). */
gboolean cli_ports_several (CliContext *ctx);
int      cli_ports_run     (CliContext *ctx);

/* monitor and write-flash --monitor (esplash-cli-monitor.c): the board's
 * output on stdout until Ctrl-] or a signal. */
gboolean cli_prepare_monitor     (CliContext *ctx, GError **error);
gboolean cli_run_monitor         (CliContext *ctx, EsplashDevice *device,
                                  GCancellable *cancellable, GError **error);
gboolean cli_monitor_after_write (CliContext *ctx, GError **error);
gboolean cli_monitor             (CliContext *ctx, const char *url, guint baud,
                                  gboolean reset, GError **error);

/* esplash-cli-baud.c: the rate -b auto found, per adapter (0: none yet). */
guint cli_baud_memory_lookup (const char *adapter_key);
void  cli_baud_memory_store  (const char *adapter_key, guint baud);

G_END_DECLS
