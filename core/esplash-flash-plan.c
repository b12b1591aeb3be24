/* esplash-flash-plan.c: the plan object — entries, findings, text.
 *
 * The checks live in esplash-flash-plan-check.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdarg.h>

#include "esplash-flash-plan.h"
#include "esplash-bundle-private.h"

typedef struct {
  EsplashPlanEntry  pub;
  EsplashPlanCheck  problem;        /* 0 = none */
  char             *problem_message;
} Entry;

struct _EsplashFlashPlan {
  GObject                parent_instance;
  GPtrArray             *entries;    /* Entry */
  GPtrArray             *findings;   /* EsplashPlanFinding */
  const EsplashChipInfo *chip;
  char                  *source;
  char                  *flash_mode, *flash_freq, *flash_size;
  gboolean               prompt_erase;
};

G_DEFINE_FINAL_TYPE (EsplashFlashPlan, esplash_flash_plan, G_TYPE_OBJECT)

static const char *const kind_names[] = {
  [ESPLASH_PLAN_KIND_UNKNOWN] = "unknown",
  [ESPLASH_PLAN_KIND_BOOTLOADER] = "bootloader",
  [ESPLASH_PLAN_KIND_PARTITION_TABLE] = "partition-table",
  [ESPLASH_PLAN_KIND_APP] = "app",
  [ESPLASH_PLAN_KIND_OTADATA] = "otadata",
  [ESPLASH_PLAN_KIND_DATA] = "data",
  [ESPLASH_PLAN_KIND_MERGED] = "merged",
};

const char *
esplash_plan_kind_to_string (EsplashPlanKind kind)
{
  if ((guint) kind >= G_N_ELEMENTS (kind_names))
    return "unknown";
  return kind_names[kind];
}

void
esplash_plan_target_init (EsplashPlanTarget *target)
{
  target->chip = NULL;
  target->revision = ESPLASH_REVISION_UNKNOWN;
  target->flash_size = 0;
}

static void
entry_free (Entry *e)
{
  g_clear_pointer (&e->pub.data, g_bytes_unref);
  g_free (e->pub.path);
  g_free (e->pub.name);
  g_free (e->pub.reason);
  g_free (e->pub.detail);
  g_free (e->problem_message);
  g_free (e);
}

static void
finding_free (EsplashPlanFinding *f)
{
  g_free (f->message);
  g_free (f);
}

static void
esplash_flash_plan_finalize (GObject *object)
{
  EsplashFlashPlan *self = ESPLASH_FLASH_PLAN (object);

  g_ptr_array_unref (self->entries);
  g_ptr_array_unref (self->findings);
  g_free (self->source);
  g_free (self->flash_mode);
  g_free (self->flash_freq);
  g_free (self->flash_size);
  G_OBJECT_CLASS (esplash_flash_plan_parent_class)->finalize (object);
}

static void
esplash_flash_plan_class_init (EsplashFlashPlanClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = esplash_flash_plan_finalize;
}

static void
esplash_flash_plan_init (EsplashFlashPlan *self)
{
  self->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  self->findings = g_ptr_array_new_with_free_func ((GDestroyNotify) finding_free);
}

EsplashFlashPlan *
esplash_flash_plan_new (void)
{
  return g_object_new (ESPLASH_TYPE_FLASH_PLAN, NULL);
}

guint
esplash_flash_plan_add_entry (EsplashFlashPlan *plan,
                              gboolean          has_offset,
                              guint32           offset,
                              GBytes           *data,
                              EsplashPlanKind   kind,
                              const char       *path,
                              const char       *reason)
{
  Entry *e;

  g_return_val_if_fail (ESPLASH_IS_FLASH_PLAN (plan), 0);
  g_return_val_if_fail (path != NULL, 0);

  e = g_new0 (Entry, 1);
  e->pub.has_offset = has_offset;
  e->pub.offset = has_offset ? offset : 0;
  e->pub.data = data != NULL ? g_bytes_ref (data) : NULL;
  e->pub.kind = kind;
  e->pub.path = g_strdup (path);
  e->pub.name = g_path_get_basename (path);
  e->pub.reason = g_strdup (reason);
  e->pub.enabled = TRUE;
  e->pub.image_chip_id = -1;
  g_ptr_array_add (plan->entries, e);
  return plan->entries->len - 1;
}

guint
esplash_flash_plan_get_n_entries (EsplashFlashPlan *plan)
{
  g_return_val_if_fail (ESPLASH_IS_FLASH_PLAN (plan), 0);
  return plan->entries->len;
}

static Entry *
get_entry (EsplashFlashPlan *plan,
           guint             index)
{
  g_return_val_if_fail (ESPLASH_IS_FLASH_PLAN (plan), NULL);
  g_return_val_if_fail (index < plan->entries->len, NULL);
  return g_ptr_array_index (plan->entries, index);
}

EsplashPlanEntry *
esplash_flash_plan_get_entry (EsplashFlashPlan *plan,
                              guint             index)
{
  Entry *e = get_entry (plan, index);

  return e != NULL ? &e->pub : NULL;
}

void
esplash_flash_plan_set_offset (EsplashFlashPlan *plan,
                               guint             index,
                               guint32           offset)
{
  Entry *e = get_entry (plan, index);

  if (e == NULL)
    return;
  e->pub.offset = offset;
  e->pub.has_offset = TRUE;
  e->pub.user_override = TRUE;
  g_free (e->pub.reason);
  e->pub.reason = g_strdup ("offset set by the user");
}

void
esplash_flash_plan_set_enabled (EsplashFlashPlan *plan,
                                guint             index,
                                gboolean          enabled)
{
  Entry *e = get_entry (plan, index);

  if (e != NULL)
    e->pub.enabled = enabled;
}

void
esplash_flash_plan_set_entry_reason (EsplashFlashPlan *plan,
                                     guint             index,
                                     gboolean          has_offset,
                                     guint32           offset,
                                     const char       *reason)
{
  Entry *e = get_entry (plan, index);

  if (e == NULL)
    return;
  e->pub.has_offset = has_offset;
  e->pub.offset = has_offset ? offset : 0;
  g_free (e->pub.reason);
  e->pub.reason = g_strdup (reason);
}

void
esplash_flash_plan_set_entry_detail (EsplashFlashPlan *plan,
                                     guint             index,
                                     const char       *detail,
                                     gint              image_chip_id)
{
  Entry *e = get_entry (plan, index);

  if (e == NULL)
    return;
  g_free (e->pub.detail);
  e->pub.detail = g_strdup (detail);
  e->pub.image_chip_id = image_chip_id;
}

void
esplash_flash_plan_set_entry_problem (EsplashFlashPlan *plan,
                                      guint             index,
                                      EsplashPlanCheck  check,
                                      const char       *message)
{
  Entry *e = get_entry (plan, index);

  if (e == NULL)
    return;
  e->problem = check;
  g_free (e->problem_message);
  e->problem_message = g_strdup (message);
}

gboolean
esplash_flash_plan_get_entry_problem (EsplashFlashPlan  *plan,
                                      guint              index,
                                      EsplashPlanCheck  *check,
                                      const char       **message)
{
  Entry *e = get_entry (plan, index);

  if (e == NULL || e->problem == 0)
    return FALSE;
  *check = e->problem;
  *message = e->problem_message;
  return TRUE;
}

const EsplashChipInfo *
esplash_flash_plan_get_chip (EsplashFlashPlan *plan)
{
  g_return_val_if_fail (ESPLASH_IS_FLASH_PLAN (plan), NULL);
  return plan->chip;
}

void
esplash_flash_plan_set_chip (EsplashFlashPlan      *plan,
                             const EsplashChipInfo *chip)
{
  g_return_if_fail (ESPLASH_IS_FLASH_PLAN (plan));
  plan->chip = chip;
}

const char *
esplash_flash_plan_get_source (EsplashFlashPlan *plan)
{
  g_return_val_if_fail (ESPLASH_IS_FLASH_PLAN (plan), NULL);
  return plan->source;
}

void
esplash_flash_plan_set_source (EsplashFlashPlan *plan,
                               const char       *source)
{
  g_return_if_fail (ESPLASH_IS_FLASH_PLAN (plan));
  g_free (plan->source);
  plan->source = g_strdup (source);
}

const char *
esplash_flash_plan_get_flash_mode (EsplashFlashPlan *plan)
{
  g_return_val_if_fail (ESPLASH_IS_FLASH_PLAN (plan), NULL);
  return plan->flash_mode;
}

const char *
esplash_flash_plan_get_flash_freq (EsplashFlashPlan *plan)
{
  g_return_val_if_fail (ESPLASH_IS_FLASH_PLAN (plan), NULL);
  return plan->flash_freq;
}

const char *
esplash_flash_plan_get_flash_size (EsplashFlashPlan *plan)
{
  g_return_val_if_fail (ESPLASH_IS_FLASH_PLAN (plan), NULL);
  return plan->flash_size;
}

void
esplash_flash_plan_set_flash_settings (EsplashFlashPlan *plan,
                                       const char       *mode,
                                       const char       *freq,
                                       const char       *size)
{
  g_return_if_fail (ESPLASH_IS_FLASH_PLAN (plan));
  g_free (plan->flash_mode);
  g_free (plan->flash_freq);
  g_free (plan->flash_size);
  plan->flash_mode = g_strdup (mode);
  plan->flash_freq = g_strdup (freq);
  plan->flash_size = g_strdup (size);
}

gboolean
esplash_flash_plan_get_prompt_erase (EsplashFlashPlan *plan)
{
  g_return_val_if_fail (ESPLASH_IS_FLASH_PLAN (plan), FALSE);
  return plan->prompt_erase;
}

void
esplash_flash_plan_set_prompt_erase (EsplashFlashPlan *plan,
                                     gboolean          prompt)
{
  g_return_if_fail (ESPLASH_IS_FLASH_PLAN (plan));
  plan->prompt_erase = prompt;
}

void
esplash_flash_plan_clear_findings (EsplashFlashPlan *plan)
{
  g_ptr_array_set_size (plan->findings, 0);
}

void
esplash_flash_plan_add_finding (EsplashFlashPlan    *plan,
                                EsplashPlanSeverity  severity,
                                EsplashPlanCheck     check,
                                EsplashError         error_code,
                                gint                 entry,
                                const char          *format,
                                ...)
{
  EsplashPlanFinding *f = g_new0 (EsplashPlanFinding, 1);
  va_list args;

  f->severity = severity;
  f->check = check;
  f->error_code = error_code;
  f->entry = entry;
  va_start (args, format);
  f->message = g_strdup_vprintf (format, args);
  va_end (args);
  g_ptr_array_add (plan->findings, f);
}

guint
esplash_flash_plan_get_n_findings (EsplashFlashPlan *plan)
{
  g_return_val_if_fail (ESPLASH_IS_FLASH_PLAN (plan), 0);
  return plan->findings->len;
}

const EsplashPlanFinding *
esplash_flash_plan_get_finding (EsplashFlashPlan *plan,
                                guint             index)
{
  g_return_val_if_fail (ESPLASH_IS_FLASH_PLAN (plan), NULL);
  g_return_val_if_fail (index < plan->findings->len, NULL);
  return g_ptr_array_index (plan->findings, index);
}

const EsplashPlanFinding *
esplash_flash_plan_find_finding (EsplashFlashPlan *plan,
                                 EsplashPlanCheck  check,
                                 gint              entry)
{
  g_return_val_if_fail (ESPLASH_IS_FLASH_PLAN (plan), NULL);
  for (guint i = 0; i < plan->findings->len; i++)
    {
      const EsplashPlanFinding *f = g_ptr_array_index (plan->findings, i);

      if (f->check == check && (entry < 0 || f->entry == entry))
        return f;
    }
  return NULL;
}

static gboolean
blocks (const EsplashPlanFinding *f,
        gboolean                  force)
{
  return f->severity == ESPLASH_PLAN_REFUSAL ||
         (f->severity == ESPLASH_PLAN_REFUSAL_OVERRIDABLE && !force);
}

gboolean
esplash_flash_plan_ensure_writable (EsplashFlashPlan  *plan,
                                    gboolean           force,
                                    GError           **error)
{
  const EsplashPlanFinding *first = NULL;
  guint n_blocking = 0;

  g_return_val_if_fail (ESPLASH_IS_FLASH_PLAN (plan), FALSE);

  for (guint i = 0; i < plan->findings->len; i++)
    {
      const EsplashPlanFinding *f = g_ptr_array_index (plan->findings, i);

      if (!blocks (f, force))
        continue;
      /* hard refusals first: forcing the others would not help */
      if (first == NULL || (f->severity > first->severity))
        first = f;
      n_blocking++;
    }
  if (first == NULL)
    return TRUE;
  g_set_error (error, ESPLASH_ERROR, first->error_code, "%s%s%s", first->message,
               first->severity == ESPLASH_PLAN_REFUSAL_OVERRIDABLE
                 ? " (use --force to write anyway)" : "",
               n_blocking > 1 ? " (and more problems: see the plan)" : "");
  return FALSE;
}

static char *
format_size (gsize len)
{
  if (len >= 1024 * 1024 && len % (1024 * 1024) == 0)
    return g_strdup_printf ("%zu MiB", len >> 20);
  if (len >= 1024)
    return g_strdup_printf ("%zu KiB", (len + 1023) / 1024);
  return g_strdup_printf ("%zu bytes", len);
}

static const char *
severity_name (EsplashPlanSeverity severity)
{
  switch (severity)
    {
    case ESPLASH_PLAN_REFUSAL:
      return "refusal";
    case ESPLASH_PLAN_REFUSAL_OVERRIDABLE:
      return "refusal (--force overrides)";
    case ESPLASH_PLAN_WARNING:
    default:
      return "warning";
    }
}

char **
esplash_flash_plan_format (EsplashFlashPlan *plan)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (ESPLASH_IS_FLASH_PLAN (plan), NULL);

  if (plan->source != NULL)
    g_ptr_array_add (lines, g_strdup_printf ("Firmware: %s%s%s", plan->source,
                                                 plan->chip != NULL ? " for " : "",
                                                 plan->chip != NULL ? plan->chip->name : ""));
  if (plan->flash_mode != NULL || plan->flash_freq != NULL || plan->flash_size != NULL)
    g_ptr_array_add (lines, g_strdup_printf ("Flash settings from the build: mode %s, "
                                                 "frequency %s, size %s",
                                                 plan->flash_mode != NULL ? plan->flash_mode : "keep",
                                                 plan->flash_freq != NULL ? plan->flash_freq : "keep",
                                                 plan->flash_size != NULL ? plan->flash_size : "keep"));
  for (guint i = 0; i < plan->entries->len; i++)
    {
      const Entry *e = g_ptr_array_index (plan->entries, i);
      g_autofree char *where = e->pub.has_offset ? g_strdup_printf ("0x%08x", e->pub.offset)
                                                 : g_strdup ("?         ");
      g_autofree char *size = e->pub.data != NULL ? format_size (g_bytes_get_size (e->pub.data))
                                                  : g_strdup ("not readable");

      g_ptr_array_add (lines,
                           g_strdup_printf ("%s%s  %-15s  %s (%s)%s%s — %s",
                                            e->pub.enabled ? "" : "[skipped] ", where,
                                            esplash_plan_kind_to_string (e->pub.kind),
                                            e->pub.path, size,
                                            e->pub.detail != NULL ? ", " : "",
                                            e->pub.detail != NULL ? e->pub.detail : "",
                                            e->pub.reason != NULL ? e->pub.reason : ""));
    }
  for (guint i = 0; i < plan->findings->len; i++)
    {
      const EsplashPlanFinding *f = g_ptr_array_index (plan->findings, i);

      g_ptr_array_add (lines, g_strdup_printf ("%s: %s", severity_name (f->severity),
                                                   f->message));
    }
  g_ptr_array_add (lines, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&lines), FALSE);
}
