/* esplash-cli-write.c: write-flash and verify-flash — whatever a build
 * produced, or ADDR FILE pairs, → a checked flash plan → the flash.
 *
 * The plan is made, printed and checked before the port is opened, with
 * what is known then (-c, --flash-size, the chip the files name). Once
 * connected it is made again for the real chip, its revision and flash
 * size, and anything refused stops the command before a byte is written.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esplash-cli-private.h"

#define SETTINGS_FROM_BUILD "Flash settings from the build: "

/* Names for --json, by EsplashPlanCheck value. */
static const char *const check_nicks[] = {
  [ESPLASH_PLAN_CHECK_MISSING_FILE] = "missing-file",
  [ESPLASH_PLAN_CHECK_PATH_ESCAPES] = "path-escapes",
  [ESPLASH_PLAN_CHECK_EMPTY_FILE] = "empty-file",
  [ESPLASH_PLAN_CHECK_URL_PART] = "url-part",
  [ESPLASH_PLAN_CHECK_NO_OFFSET] = "no-offset",
  [ESPLASH_PLAN_CHECK_CHIP_MISMATCH] = "chip-mismatch",
  [ESPLASH_PLAN_CHECK_REVISION] = "revision",
  [ESPLASH_PLAN_CHECK_BAD_CHECKSUM] = "bad-checksum",
  [ESPLASH_PLAN_CHECK_BAD_SHA256] = "bad-sha256",
  [ESPLASH_PLAN_CHECK_INVALID_IMAGE] = "invalid-image",
  [ESPLASH_PLAN_CHECK_BEYOND_FLASH] = "beyond-flash",
  [ESPLASH_PLAN_CHECK_OVERLAP] = "overlap",
  [ESPLASH_PLAN_CHECK_SHARED_SECTOR] = "shared-sector",
  [ESPLASH_PLAN_CHECK_MISALIGNED] = "misaligned",
  [ESPLASH_PLAN_CHECK_APP_TOO_LARGE] = "app-too-large",
  [ESPLASH_PLAN_CHECK_NO_PARTITION] = "no-partition",
  [ESPLASH_PLAN_CHECK_SIGNED_PATCH] = "signed-patch",
  [ESPLASH_PLAN_CHECK_MIXED_CHIPS] = "mixed-chips",
  [ESPLASH_PLAN_CHECK_BOOTLOADER_OFFSET] = "bootloader-offset",
  [ESPLASH_PLAN_CHECK_UNKNOWN_CHIP] = "unknown-chip",
  [ESPLASH_PLAN_CHECK_NOTHING_TO_WRITE] = "nothing-to-write",
  [ESPLASH_PLAN_CHECK_NOT_IMAGE] = "not-image",
};

static const char *
check_nick (EsplashPlanCheck check)
{
  if ((guint) check < G_N_ELEMENTS (check_nicks) && check_nicks[check] != NULL)
    return check_nicks[check];
  return "unknown";
}

static const char *
severity_nick (EsplashPlanSeverity severity)
{
  switch (severity)
    {
    case ESPLASH_PLAN_REFUSAL:
      return "refusal";
    case ESPLASH_PLAN_REFUSAL_OVERRIDABLE:
      return "overridable-refusal";
    case ESPLASH_PLAN_WARNING:
    default:
      return "warning";
    }
}

static gboolean
check_write_options (CliContext  *ctx,
                     GError     **error)
{
  if (ctx->flash_mode != NULL && g_strcmp0 (ctx->flash_mode, "keep") != 0 &&
      esplash_flash_mode_code (ctx->flash_mode) < 0)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT,
                   "Unknown --flash-mode “%s”: use keep, qio, qout, dio or dout", ctx->flash_mode);
      return FALSE;
    }
  if (ctx->flash_freq != NULL && g_strcmp0 (ctx->flash_freq, "keep") != 0)
    {
      gboolean known = FALSE;
      guint n;
      const EsplashChipInfo *const *chips = esplash_chip_list (&n);

      for (guint i = 0; i < n && !known; i++)
        if (ctx->chip_info == NULL || chips[i] == ctx->chip_info)
          known = esplash_chip_flash_freq_code (chips[i], ctx->flash_freq) >= 0;
      if (!known)
        {
          g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT,
                       "Unknown --flash-freq “%s”%s%s: use keep or a frequency such as 40m",
                       ctx->flash_freq, ctx->chip_info != NULL ? " for the " : "",
                       ctx->chip_info != NULL ? ctx->chip_info->name : "");
          return FALSE;
        }
    }
  if (ctx->flash_size != NULL && g_strcmp0 (ctx->flash_size, "keep") != 0 &&
      g_strcmp0 (ctx->flash_size, "detect") != 0 && esplash_flash_size_parse (ctx->flash_size) == 0)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT,
                   "Unknown --flash-size “%s”: use keep, detect or a size such as 4MB",
                   ctx->flash_size);
      return FALSE;
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Inputs → plan                                                       */

/* --diff-with: one file per ADDRESS FILE pair, read before any port opens. */
static gboolean
load_diff_with (CliContext  *ctx,
                GError     **error)
{
  guint n = ctx->diff_with != NULL ? g_strv_length (ctx->diff_with) : 0;

  if (n == 0)
    return TRUE;
  if (n != ctx->pair_addresses->len)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT,
                   "--diff-with was given %u time%s for %u ADDRESS FILE pair%s: give one per "
                   "pair, in the same order (skip for a pair without one)", n, n == 1 ? "" : "s",
                   ctx->pair_addresses->len, ctx->pair_addresses->len == 1 ? "" : "s");
      return FALSE;
    }
  ctx->diff_bytes = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(GMappedFile) file = NULL;

      if (g_str_equal (ctx->diff_with[i], "skip"))
        {
          g_ptr_array_add (ctx->diff_bytes, NULL);
          continue;
        }
      file = g_mapped_file_new (ctx->diff_with[i], FALSE, &local_error);
      if (file == NULL)
        {
          g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_NOT_FOUND, "--diff-with: %s",
                       local_error->message);
          return FALSE;
        }
      g_ptr_array_add (ctx->diff_bytes, g_mapped_file_get_bytes (file));
    }
  return TRUE;
}

/* The arguments into a bundle: an argument that starts with a digit is an
 * address (unless it is no address but an existing path), and the next
 * one the file for it; anything else is a path the bundle recognises. */
static gboolean
add_inputs (CliContext  *ctx,
            GError     **error)
{
  guint n = g_strv_length (ctx->args);

  ctx->bundle = esplash_bundle_new ();
  ctx->pair_paths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  ctx->pair_addresses = g_array_new (FALSE, FALSE, sizeof (guint32));
  for (guint i = 0; i < n; i++)
    {
      const char *arg = ctx->args[i];
      guint32 address;

      if (!g_ascii_isdigit (arg[0]) ||
          (!cli_parse_address (arg, &address, NULL) && g_file_test (arg, G_FILE_TEST_EXISTS)))
        {
          if (!esplash_bundle_add_path (ctx->bundle, arg, error))
            return FALSE;
          continue;
        }
      if (!cli_parse_address (arg, &address, error))
        return FALSE;
      if (i + 1 >= n)
        {
          g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT,
                       "Expected ADDRESS FILE pairs, but “%s” has no file after it", arg);
          return FALSE;
        }
      i++;
      if (!esplash_bundle_add_file_at (ctx->bundle, address, ctx->args[i], error))
        return FALSE;
      g_hash_table_add (ctx->pair_paths, g_strdup (ctx->args[i]));
      g_array_append_val (ctx->pair_addresses, address);
    }
  return load_diff_with (ctx, error);
}

static gboolean
user_flash_settings (CliContext *ctx)
{
  return ctx->flash_mode != NULL || ctx->flash_freq != NULL || ctx->flash_size != NULL;
}

/* The size a flash-size setting names ("4MB"); 0 for keep and detect. */
static guint32
concrete_size (const char *size)
{
  if (size == NULL || g_strcmp0 (size, "keep") == 0 || g_strcmp0 (size, "detect") == 0)
    return 0;
  return esplash_flash_size_parse (size);
}

/* The bundle → ctx->plan for @target. The plan's flash settings become the
 * ones the write uses (the command line's, else the build's), so the
 * checks see them; the flash size is the smallest one known. */
static gboolean
resolve_plan (CliContext         *ctx,
              EsplashPlanTarget  *target,
              gboolean            announce,
              GError            **error)
{
  g_autoptr(EsplashFlashPlan) plan = esplash_bundle_resolve (ctx->bundle, target, error);
  guint32 size;

  if (plan == NULL)
    return FALSE;
  /* esptool writes nothing for an empty file given with an address */
  for (guint i = 0; i < esplash_flash_plan_get_n_entries (plan); i++)
    {
      const EsplashPlanEntry *e = esplash_flash_plan_get_entry (plan, i);

      if (!e->enabled || e->data == NULL || g_bytes_get_size (e->data) > 0 ||
          !g_hash_table_contains (ctx->pair_paths, e->path))
        continue;
      if (announce)
        cli_output_message (ctx->out, ESPLASH_LOG_WARNING, "%s is empty: nothing to write at 0x%X",
                            e->path, e->offset);
      esplash_flash_plan_set_enabled (plan, i, FALSE);
    }
  if (user_flash_settings (ctx))
    {
      g_autofree char *mode = g_strdup (ctx->flash_mode != NULL ? ctx->flash_mode
                                          : esplash_flash_plan_get_flash_mode (plan));
      g_autofree char *freq = g_strdup (ctx->flash_freq != NULL ? ctx->flash_freq
                                          : esplash_flash_plan_get_flash_freq (plan));
      g_autofree char *fsize = g_strdup (ctx->flash_size != NULL ? ctx->flash_size
                                           : esplash_flash_plan_get_flash_size (plan));

      esplash_flash_plan_set_flash_settings (plan, mode, freq, fsize);
    }
  size = concrete_size (esplash_flash_plan_get_flash_size (plan));
  if (size != 0 && (target->flash_size == 0 || size < target->flash_size))
    target->flash_size = size;
  esplash_flash_plan_check (plan, target);
  g_set_object (&ctx->plan, plan);
  return TRUE;
}

static void
add_string_or_null (JsonBuilder *b,
                    const char  *name,
                    const char  *value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
add_entries_json (JsonBuilder      *b,
                  EsplashFlashPlan *plan)
{
  json_builder_set_member_name (b, "entries");
  json_builder_begin_array (b);
  for (guint i = 0; i < esplash_flash_plan_get_n_entries (plan); i++)
    {
      const EsplashPlanEntry *e = esplash_flash_plan_get_entry (plan, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "offset");
      if (e->has_offset)
        json_builder_add_int_value (b, e->offset);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "size");
      if (e->data != NULL)
        json_builder_add_int_value (b, (gint64) g_bytes_get_size (e->data));
      else
        json_builder_add_null_value (b);
      add_string_or_null (b, "kind", esplash_plan_kind_to_string (e->kind));
      add_string_or_null (b, "file", e->path);
      add_string_or_null (b, "name", e->name);
      add_string_or_null (b, "reason", e->reason);
      add_string_or_null (b, "detail", e->detail);
      json_builder_set_member_name (b, "enabled");
      json_builder_add_boolean_value (b, e->enabled);
      json_builder_set_member_name (b, "user_override");
      json_builder_add_boolean_value (b, e->user_override);
      json_builder_set_member_name (b, "image_chip_id");
      if (e->image_chip_id >= 0)
        json_builder_add_int_value (b, e->image_chip_id);
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

static void
add_findings_json (JsonBuilder      *b,
                   EsplashFlashPlan *plan)
{
  json_builder_set_member_name (b, "findings");
  json_builder_begin_array (b);
  for (guint i = 0; i < esplash_flash_plan_get_n_findings (plan); i++)
    {
      const EsplashPlanFinding *f = esplash_flash_plan_get_finding (plan, i);

      json_builder_begin_object (b);
      add_string_or_null (b, "severity", severity_nick (f->severity));
      add_string_or_null (b, "check", check_nick (f->check));
      add_string_or_null (b, "code", esplash_error_code_nick (f->error_code));
      json_builder_set_member_name (b, "entry");
      if (f->entry >= 0)
        json_builder_add_int_value (b, f->entry);
      else
        json_builder_add_null_value (b);
      add_string_or_null (b, "message", f->message);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

/* --json: {"type": "plan", …} with every entry and finding. */
static void
emit_plan_json (CliContext *ctx,
                gboolean    connected,
                gboolean    force)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  EsplashFlashPlan *plan = ctx->plan;
  const EsplashChipInfo *chip = esplash_flash_plan_get_chip (plan);

  json_builder_begin_object (b);
  add_string_or_null (b, "type", "plan");
  json_builder_set_member_name (b, "connected");
  json_builder_add_boolean_value (b, connected);
  add_string_or_null (b, "source", esplash_flash_plan_get_source (plan));
  add_string_or_null (b, "chip", chip != NULL ? chip->id : NULL);
  add_string_or_null (b, "flash_mode", esplash_flash_plan_get_flash_mode (plan));
  add_string_or_null (b, "flash_freq", esplash_flash_plan_get_flash_freq (plan));
  add_string_or_null (b, "flash_size", esplash_flash_plan_get_flash_size (plan));
  add_entries_json (b, plan);
  add_findings_json (b, plan);
  json_builder_set_member_name (b, "writable");
  json_builder_add_boolean_value (b, esplash_flash_plan_ensure_writable (plan, force, NULL));
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  cli_output_object (ctx->out, root);
}

/* The plan, one line per entry then per finding; once connected only when
 * it differs from what was printed before. */
static void
print_plan (CliContext *ctx,
            gboolean    connected,
            gboolean    force)
{
  g_auto(GStrv) lines = NULL;
  const EsplashChipInfo *chip = esplash_flash_plan_get_chip (ctx->plan);

  if (cli_output_is_json (ctx->out))
    {
      emit_plan_json (ctx, connected, force);
      return;
    }
  lines = esplash_flash_plan_format (ctx->plan);
  if (connected && ctx->plan_lines != NULL &&
      g_strv_equal ((const char *const *) lines, (const char *const *) ctx->plan_lines))
    return;
  if (connected)
    cli_output_text (ctx->out, "Plan for the connected %s:", chip != NULL ? chip->name : "chip");
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (user_flash_settings (ctx) && g_str_has_prefix (lines[i], SETTINGS_FROM_BUILD))
        cli_output_text (ctx->out, "Flash settings (command line, else the build): %s",
                         lines[i] + strlen (SETTINGS_FROM_BUILD));
      else
        cli_output_text (ctx->out, "%s", lines[i]);
    }
  g_strfreev (ctx->plan_lines);
  ctx->plan_lines = g_steal_pointer (&lines);
}

static gboolean
chip_decides (const EsplashPlanFinding *f)
{
  return f->check == ESPLASH_PLAN_CHECK_UNKNOWN_CHIP || f->check == ESPLASH_PLAN_CHECK_MIXED_CHIPS;
}

/* The finding that blocks, picked as esplash_flash_plan_ensure_writable()
 * does (hard refusals before overridable ones); with @chip_pending, not
 * those that only the connected chip settles. */
static const EsplashPlanFinding *
first_blocking (EsplashFlashPlan *plan,
                gboolean          force,
                gboolean          chip_pending,
                guint            *n_blocking)
{
  const EsplashPlanFinding *first = NULL;

  *n_blocking = 0;
  for (guint i = 0; i < esplash_flash_plan_get_n_findings (plan); i++)
    {
      const EsplashPlanFinding *f = esplash_flash_plan_get_finding (plan, i);

      if (f->severity == ESPLASH_PLAN_WARNING ||
          (force && f->severity == ESPLASH_PLAN_REFUSAL_OVERRIDABLE) ||
          (chip_pending && chip_decides (f)))
        continue;
      if (first == NULL || f->severity > first->severity)
        first = f;
      (*n_blocking)++;
    }
  return first;
}

/* Refuses a plan that must not be written. Offsets that collide or are
 * missing are fixed on the command line (exit 2); everything else is a
 * refusal of the firmware (exit 1). */
static gboolean
gate_plan (CliContext  *ctx,
           gboolean     force,
           gboolean     chip_pending,
           GError     **error)
{
  guint n;
  const EsplashPlanFinding *first = first_blocking (ctx->plan, force, chip_pending, &n);
  gboolean ok;

  if (first == NULL)
    return TRUE;
  if (chip_pending)
    {
      /* the same words as ensure_writable, without the chip's findings */
      g_set_error (error, ESPLASH_ERROR, first->error_code, "%s%s%s", first->message,
                   first->severity == ESPLASH_PLAN_REFUSAL_OVERRIDABLE
                     ? " (use --force to write anyway)" : "",
                   n > 1 ? " (and more problems: see the plan)" : "");
      ok = FALSE;
    }
  else
    {
      ok = esplash_flash_plan_ensure_writable (ctx->plan, force, error);
    }
  if (!ok)
    ctx->refusal_exit = first->check == ESPLASH_PLAN_CHECK_OVERLAP ||
                        first->check == ESPLASH_PLAN_CHECK_SHARED_SECTOR ||
                        first->check == ESPLASH_PLAN_CHECK_NO_OFFSET
                          ? CLI_EXIT_USAGE : CLI_EXIT_FAILURE;
  return ok;
}

static void
warn_forced (CliContext *ctx)
{
  for (guint i = 0; i < esplash_flash_plan_get_n_findings (ctx->plan); i++)
    {
      const EsplashPlanFinding *f = esplash_flash_plan_get_finding (ctx->plan, i);

      if (f->severity == ESPLASH_PLAN_REFUSAL_OVERRIDABLE)
        cli_output_message (ctx->out, ESPLASH_LOG_WARNING, "--force: going ahead although %s",
                            f->message);
    }
}

/* Before the port is opened: the plan for what is known, printed and
 * checked. A manifest with builds for several chips waits for the chip. */
static gboolean
prepare_plan (CliContext  *ctx,
              gboolean     force,
              GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  EsplashPlanTarget target;
  gboolean chip_pending;
  guint n;

  if (!add_inputs (ctx, error))
    return FALSE;
  esplash_plan_target_init (&target);
  target.chip = ctx->chip_info;
  if (!resolve_plan (ctx, &target, TRUE, &local_error))
    {
      if (!ctx->dry_run && target.chip == NULL &&
          g_error_matches (local_error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT) &&
          esplash_bundle_guess_chip (ctx->bundle) == NULL)
        {
          cli_output_message (ctx->out, ESPLASH_LOG_INFO, "%s: the connected chip picks the build",
                              local_error->message);
          return TRUE;
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  chip_pending = !ctx->dry_run && target.chip == NULL;
  print_plan (ctx, FALSE, force);
  if (!gate_plan (ctx, force, chip_pending, error))
    return FALSE;
  if (chip_pending && first_blocking (ctx->plan, force, FALSE, &n) != NULL)
    cli_output_message (ctx->out, ESPLASH_LOG_INFO,
                        "The chip decides part of the plan: checking again once connected");
  return TRUE;
}

gboolean
cli_prepare_write (CliContext  *ctx,
                   GError     **error)
{
  return check_write_options (ctx, error) && prepare_plan (ctx, ctx->force, error);
}

/* Comparing is harmless: only what makes it meaningless is refused. */
gboolean
cli_prepare_verify (CliContext  *ctx,
                    GError     **error)
{
  return prepare_plan (ctx, TRUE, error);
}

/* Connected: the plan again for this chip, revision and flash size. */
static gboolean
plan_for_device (CliContext                   *ctx,
                 EsplashDevice                *device,
                 const EsplashChipDescription *desc,
                 gboolean                      force,
                 GError                      **error)
{
  EsplashPlanTarget target;
  gboolean first = ctx->plan == NULL;

  esplash_plan_target_init (&target);
  target.chip = esplash_device_get_chip (device);
  /* Secure Download Mode hides the eFuses and the flash id */
  if (!desc->secure_download_mode)
    {
      target.revision = desc->revision;
      target.flash_size = desc->flash_size;
    }
  if (!resolve_plan (ctx, &target, first, error))
    return FALSE;
  print_plan (ctx, TRUE, force);
  return gate_plan (ctx, force, FALSE, error);
}

/* ------------------------------------------------------------------ */
/* Results                                                             */

static void
result_regions (CliContext *ctx,
                gboolean    verified)
{
  if (ctx->result == NULL)
    return;
  json_builder_set_member_name (ctx->result, "regions");
  json_builder_begin_array (ctx->result);
  for (guint i = 0; i < ctx->regions->len; i++)
    {
      const EsplashFlashRegion *region = g_ptr_array_index (ctx->regions, i);

      json_builder_begin_object (ctx->result);
      json_builder_set_member_name (ctx->result, "address");
      json_builder_add_int_value (ctx->result, region->address);
      json_builder_set_member_name (ctx->result, "file");
      json_builder_add_string_value (ctx->result, region->name);
      json_builder_set_member_name (ctx->result, "size");
      json_builder_add_int_value (ctx->result, (gint64) g_bytes_get_size (region->data));
      json_builder_set_member_name (ctx->result, "verified");
      json_builder_add_boolean_value (ctx->result,
                                      verified && g_bytes_get_size (region->data) > 0);
      json_builder_end_object (ctx->result);
    }
  json_builder_end_array (ctx->result);
}

static void
take_regions (CliContext *ctx)
{
  g_clear_pointer (&ctx->regions, g_ptr_array_unref);
  ctx->regions = esplash_flash_plan_dup_regions (ctx->plan);
  /* --diff-with goes to the region at its pair's address */
  for (guint i = 0; ctx->diff_bytes != NULL && i < ctx->diff_bytes->len; i++)
    for (guint r = 0; r < ctx->regions->len; r++)
      {
        EsplashFlashRegion *region = g_ptr_array_index (ctx->regions, r);

        if (region->address == g_array_index (ctx->pair_addresses, guint32, i))
          esplash_flash_region_set_previous (region, g_ptr_array_index (ctx->diff_bytes, i));
      }
}

static gboolean
can_md5 (EsplashDevice *device)
{
  return !esplash_device_is_secure_download_mode (device) &&
         (esplash_device_is_stub (device) || !esplash_device_get_chip (device)->rom_is_esp8266_like);
}

static gboolean
finish_dry_run (CliContext *ctx)
{
  if (ctx->force)
    warn_forced (ctx);
  take_regions (ctx);
  cli_output_text (ctx->out, "Dry run: the plan passes its checks; nothing was written.");
  if (ctx->result != NULL)
    {
      json_builder_set_member_name (ctx->result, "dry_run");
      json_builder_add_boolean_value (ctx->result, TRUE);
    }
  result_regions (ctx, FALSE);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* write-flash, verify-flash                                           */

gboolean
cli_run_write (CliContext     *ctx,
               EsplashDevice  *device,
               GCancellable   *cancellable,
               GError        **error)
{
  EsplashChipDescription desc;
  EsplashWriteOptions options;
  guint resumed;

  if (device == NULL)
    return finish_dry_run (ctx);
  if (!cli_describe (ctx, device, &desc, cancellable, error))
    return FALSE;
  ctx->record_desc = desc;
  ctx->record_described = TRUE;
  if (!plan_for_device (ctx, device, &desc, ctx->force, error))
    return FALSE;
  if (ctx->force)
    warn_forced (ctx);
  take_regions (ctx);

  esplash_write_options_init (&options);
  options.compress = ctx->no_compress ? ESPLASH_COMPRESS_NEVER : ESPLASH_COMPRESS_AUTO;
  options.verify = !ctx->no_verify;
  options.no_skip = ctx->no_skip;
  options.erase_all = ctx->erase_all;
  /* the command line's, else the build's (resolve_plan merged them) */
  options.flash_mode = esplash_flash_plan_get_flash_mode (ctx->plan);
  options.flash_freq = esplash_flash_plan_get_flash_freq (ctx->plan);
  options.flash_size = esplash_flash_plan_get_flash_size (ctx->plan);
  if (!esplash_flash_write (device, ctx->regions, &options, cancellable, error))
    return FALSE;
  resumed = esplash_device_get_resume_count (device);
  if (resumed > 0)
    cli_output_message (ctx->out, ESPLASH_LOG_WARNING,
                        "The write was interrupted %u time%s and resumed each time from the "
                        "first sector that differed%s", resumed, resumed == 1 ? "" : "s",
                        options.verify && can_md5 (device) ? "; the flash was verified by MD5"
                                                           : "");
  result_regions (ctx, options.verify && can_md5 (device));
  if (ctx->result != NULL)
    {
      json_builder_set_member_name (ctx->result, "resumed");
      json_builder_add_int_value (ctx->result, resumed);
    }
  return TRUE;
}

/* What write-flash put at the bootloader offset: the build's flash
 * settings patched in, as esptool's verify_flash compares it. */
static gboolean
patch_bootloader (CliContext                   *ctx,
                  EsplashDevice                *device,
                  const EsplashChipDescription *desc,
                  GError                      **error)
{
  const EsplashChipInfo *chip = esplash_device_get_chip (device);
  const char *mode = esplash_flash_plan_get_flash_mode (ctx->plan);
  const char *freq = esplash_flash_plan_get_flash_freq (ctx->plan);
  const char *size = esplash_flash_plan_get_flash_size (ctx->plan);

  if (desc->secure_download_mode ||
      (desc->security.valid && (desc->security.flags & ESPLASH_SECURITY_SECURE_BOOT_EN) != 0))
    return TRUE;
  for (guint i = 0; i < ctx->regions->len; i++)
    {
      EsplashFlashRegion *region = g_ptr_array_index (ctx->regions, i);
      GBytes *patched;

      if (region->address != chip->bootloader_offset)
        continue;
      patched = esplash_image_patch_flash_params (region->data, chip, mode, freq, size,
                                                  desc->flash_size, NULL, error);
      if (patched == NULL)
        return FALSE;
      g_bytes_unref (region->data);
      region->data = patched;
    }
  return TRUE;
}

gboolean
cli_run_verify (CliContext     *ctx,
                EsplashDevice  *device,
                GCancellable   *cancellable,
                GError        **error)
{
  EsplashChipDescription desc;

  if (!cli_describe (ctx, device, &desc, cancellable, error) ||
      !plan_for_device (ctx, device, &desc, TRUE, error))
    return FALSE;
  if (!can_md5 (device))
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_UNSUPPORTED,
                   "Cannot verify: %s",
                   esplash_device_is_secure_download_mode (device)
                     ? "Secure Download Mode has no flash MD5 command"
                     : "the ESP8266 ROM loader has no MD5 command; verify with the flasher stub "
                       "(drop --no-stub)");
      return FALSE;
    }
  take_regions (ctx);
  if (!patch_bootloader (ctx, device, &desc, error))
    return FALSE;
  for (guint i = 0; i < ctx->regions->len; i++)
    {
      EsplashFlashRegion *region = g_ptr_array_index (ctx->regions, i);
      g_autoptr(GPtrArray) one = g_ptr_array_new ();
      gsize len = g_bytes_get_size (region->data);

      cli_output_message (ctx->out, ESPLASH_LOG_INFO,
                          "Verifying 0x%" G_GSIZE_MODIFIER "x (%" G_GSIZE_FORMAT ") bytes @ "
                          "0x%08x in flash against %s...", len, len, region->address, region->name);
      g_ptr_array_add (one, region);
      if (!esplash_flash_verify (device, one, cancellable, error))
        return FALSE;
    }
  result_regions (ctx, TRUE);
  return TRUE;
}
