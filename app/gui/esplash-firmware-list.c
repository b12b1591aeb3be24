/* esplash-firmware-list.c
 *
 * The bundle is rebuilt from what was added whenever that changes, and the
 * plan resolved again when the chip becomes known; the user's offsets and
 * switches live here, keyed by file, and are laid over each new plan.
 * Editing an offset only re-checks the plan: the rows stay, so typing is
 * never interrupted.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "esplash-firmware-list.h"

typedef struct {
  gboolean has_offset;
  guint32  offset;
  gboolean enabled;
  gboolean removed;     /* an entry of a folder, taken off the list */
} Change;

struct _EsplashFirmwareList
{
  GtkWidget             parent_instance;

  GtkWidget            *box;
  GtkListBox           *list;

  GPtrArray            *paths;     /* what was added, in order */
  GHashTable           *changes;   /* entry path → Change */
  EsplashBundle        *bundle;
  EsplashFlashPlan     *plan;      /* nullable */
  EsplashPlanTarget     target;
  GtkFileChooserNative *chooser;
};

G_DEFINE_FINAL_TYPE (EsplashFirmwareList, esplash_firmware_list, GTK_TYPE_WIDGET)

enum {
  SIGNAL_CHANGED,
  SIGNAL_MESSAGE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

#define FOREACH_ROW(self, row) \
  for (guint i_ = 0; ((row) = (gpointer) gtk_list_box_get_row_at_index ((self)->list, i_)) != NULL; i_++)

static void
message (EsplashFirmwareList *self,
         EsplashLogLevel      level,
         const char          *text)
{
  g_signal_emit (self, signals[SIGNAL_MESSAGE], 0, (guint) level, text);
}

static Change *
ensure_change (EsplashFirmwareList *self,
               const char          *path)
{
  Change *change = g_hash_table_lookup (self->changes, path);

  if (change == NULL)
    {
      change = g_new0 (Change, 1);
      change->enabled = TRUE;
      g_hash_table_insert (self->changes, g_strdup (path), change);
    }
  return change;
}

static void
update_findings (EsplashFirmwareList *self)
{
  EsplashFirmwareRow *row;

  esplash_flash_plan_check (self->plan, &self->target);
  FOREACH_ROW (self, row)
    esplash_firmware_row_update_findings (row, self->plan);
}

static void
row_changed_cb (EsplashFirmwareList *self,
                EsplashFirmwareRow  *row)
{
  guint index = esplash_firmware_row_get_index (row);
  Change *change = ensure_change (self, esplash_firmware_row_get_path (row));
  guint32 offset;

  change->enabled = esplash_firmware_row_get_enabled (row);
  esplash_flash_plan_set_enabled (self->plan, index, change->enabled);
  if (esplash_firmware_row_get_offset (row, &offset))
    {
      change->has_offset = TRUE;
      change->offset = offset;
      esplash_flash_plan_set_offset (self->plan, index, offset);
    }
  update_findings (self);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void resolve (EsplashFirmwareList *self);
static void rebuild (EsplashFirmwareList *self);

static void
row_remove_cb (EsplashFirmwareList *self,
               EsplashFirmwareRow  *row)
{
  const char *path = esplash_firmware_row_get_path (row);

  for (guint i = 0; i < self->paths->len; i++)
    {
      if (g_str_equal (g_ptr_array_index (self->paths, i), path))
        {
          g_ptr_array_remove_index (self->paths, i);
          g_hash_table_remove (self->changes, path);
          rebuild (self);
          return;
        }
    }
  /* Part of a folder: the folder stays, this file is left out. */
  ensure_change (self, path)->removed = TRUE;
  resolve (self);
}

static void
show_rows (EsplashFirmwareList *self)
{
  GtkListBoxRow *old;

  while ((old = gtk_list_box_get_row_at_index (self->list, 0)) != NULL)
    gtk_list_box_remove (self->list, GTK_WIDGET (old));
  if (self->plan == NULL)
    return;

  for (guint i = 0; i < esplash_flash_plan_get_n_entries (self->plan); i++)
    {
      EsplashPlanEntry *entry = esplash_flash_plan_get_entry (self->plan, i);
      Change *change = g_hash_table_lookup (self->changes, entry->path);
      EsplashFirmwareRow *row;

      if (change != NULL && change->removed)
        continue;
      row = esplash_firmware_row_new (self->plan, i);
      g_signal_connect_object (row, "changed", G_CALLBACK (row_changed_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (row, "remove", G_CALLBACK (row_remove_cb), self, G_CONNECT_SWAPPED);
      gtk_list_box_append (self->list, GTK_WIDGET (row));
    }
}

/* A new plan from the bundle, with the user's changes laid over it. */
static void
resolve (EsplashFirmwareList *self)
{
  g_autoptr(GError) error = NULL;

  g_clear_object (&self->plan);
  if (self->paths->len > 0)
    self->plan = esplash_bundle_resolve (self->bundle, &self->target, &error);
  if (self->plan == NULL && error != NULL)
    message (self, ESPLASH_LOG_ERROR, error->message);

  for (guint i = 0; self->plan != NULL && i < esplash_flash_plan_get_n_entries (self->plan); i++)
    {
      EsplashPlanEntry *entry = esplash_flash_plan_get_entry (self->plan, i);
      Change *change = g_hash_table_lookup (self->changes, entry->path);

      if (change == NULL)
        continue;
      if (change->has_offset)
        esplash_flash_plan_set_offset (self->plan, i, change->offset);
      esplash_flash_plan_set_enabled (self->plan, i, change->enabled && !change->removed);
    }
  if (self->plan != NULL)
    esplash_flash_plan_check (self->plan, &self->target);
  show_rows (self);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

/* A new bundle from what was added; paths it cannot use are dropped. */
static void
rebuild (EsplashFirmwareList *self)
{
  g_clear_object (&self->bundle);
  self->bundle = esplash_bundle_new ();
  for (guint i = 0; i < self->paths->len; )
    {
      g_autoptr(GError) error = NULL;

      if (esplash_bundle_add_path (self->bundle, g_ptr_array_index (self->paths, i), &error))
        {
          i++;
          continue;
        }
      message (self, ESPLASH_LOG_ERROR, error->message);
      g_ptr_array_remove_index (self->paths, i);
    }
  resolve (self);
}

void
esplash_firmware_list_add_files (EsplashFirmwareList *self,
                                 GFile *const        *files,
                                 guint                n_files)
{
  gboolean added = FALSE;

  g_return_if_fail (ESPLASH_IS_FIRMWARE_LIST (self));
  g_return_if_fail (files != NULL || n_files == 0);

  for (guint i = 0; i < n_files; i++)
    {
      g_autofree char *path = g_file_get_path (files[i]);
      g_autoptr(GError) error = NULL;
      g_autofree char *text = NULL;

      if (path == NULL)
        {
          g_autofree char *uri = g_file_get_uri (files[i]);

          /* TRANSLATORS: a dropped file that is not on this computer */
          text = g_strdup_printf (_("Cannot use %s: only local files and folders can be flashed"), uri);
          message (self, ESPLASH_LOG_ERROR, text);
          continue;
        }
      if (g_ptr_array_find_with_equal_func (self->paths, path, g_str_equal, NULL))
        continue;
      if (!esplash_bundle_add_path (self->bundle, path, &error))
        {
          message (self, ESPLASH_LOG_ERROR, error->message);
          continue;
        }
      /* TRANSLATORS: log line, "Added /home/me/blink/build" */
      text = g_strdup_printf (_("Added %s"), path);
      message (self, ESPLASH_LOG_INFO, text);
      g_ptr_array_add (self->paths, g_steal_pointer (&path));
      added = TRUE;
    }
  if (added)
    resolve (self);
}

guint
esplash_firmware_list_get_n_files (EsplashFirmwareList *self)
{
  EsplashFirmwareRow *row;
  guint n = 0;

  g_return_val_if_fail (ESPLASH_IS_FIRMWARE_LIST (self), 0);

  FOREACH_ROW (self, row)
    n++;
  return n;
}

gboolean
esplash_firmware_list_is_ready (EsplashFirmwareList *self)
{
  EsplashFirmwareRow *row;
  guint n_enabled = 0;

  g_return_val_if_fail (ESPLASH_IS_FIRMWARE_LIST (self), FALSE);

  if (self->plan == NULL || !esplash_flash_plan_ensure_writable (self->plan, TRUE, NULL))
    return FALSE;
  FOREACH_ROW (self, row)
    {
      guint32 offset;

      if (!esplash_firmware_row_get_enabled (row))
        continue;
      if (!esplash_firmware_row_get_offset (row, &offset))
        return FALSE;
      n_enabled++;
    }
  return n_enabled > 0;
}

const char *
esplash_firmware_list_get_confirmation (EsplashFirmwareList *self)
{
  g_return_val_if_fail (ESPLASH_IS_FIRMWARE_LIST (self), NULL);

  for (guint i = 0; self->plan != NULL && i < esplash_flash_plan_get_n_findings (self->plan); i++)
    {
      const EsplashPlanFinding *finding = esplash_flash_plan_get_finding (self->plan, i);

      if (finding->severity == ESPLASH_PLAN_REFUSAL_OVERRIDABLE)
        return finding->message;
    }
  return NULL;
}

EsplashFlashPlan *
esplash_firmware_list_get_plan (EsplashFirmwareList *self)
{
  g_return_val_if_fail (ESPLASH_IS_FIRMWARE_LIST (self), NULL);

  return self->plan;
}

guint
esplash_firmware_list_add_to_plan (EsplashFirmwareList *self,
                                   EsplashJobPlan      *plan,
                                   GPtrArray           *names)
{
  guint n = 0;

  g_return_val_if_fail (ESPLASH_IS_FIRMWARE_LIST (self), 0);

  for (guint i = 0; self->plan != NULL && i < esplash_flash_plan_get_n_entries (self->plan); i++)
    {
      EsplashPlanEntry *entry = esplash_flash_plan_get_entry (self->plan, i);

      if (!entry->enabled || !entry->has_offset || entry->data == NULL)
        continue;
      esplash_job_plan_add_region (plan, entry->offset, entry->data, entry->name);
      if (names != NULL)
        g_ptr_array_add (names, g_strdup (entry->name));
      n++;
    }
  return n;
}

void
esplash_firmware_list_add_to_record (EsplashFirmwareList *self,
                                     EsplashFlashRecord  *record)
{
  g_return_if_fail (ESPLASH_IS_FIRMWARE_LIST (self));

  /* The same entries, in the same order, as esplash_firmware_list_add_to_plan(). */
  for (guint i = 0; self->plan != NULL && i < esplash_flash_plan_get_n_entries (self->plan); i++)
    {
      EsplashPlanEntry *entry = esplash_flash_plan_get_entry (self->plan, i);

      if (entry->enabled && entry->has_offset && entry->data != NULL)
        esplash_flash_record_add_image (record, entry->offset, entry->data, entry->name);
    }
}

void
esplash_firmware_list_set_target (EsplashFirmwareList   *self,
                                  const EsplashChipInfo *chip,
                                  guint                  revision,
                                  guint32                flash_size)
{
  g_return_if_fail (ESPLASH_IS_FIRMWARE_LIST (self));

  if (self->target.chip == chip && self->target.revision == revision &&
      self->target.flash_size == flash_size)
    return;
  self->target.revision = revision;
  self->target.flash_size = flash_size;
  /* Offsets depend on the chip only: for the rest, checking again is
   * enough and the rows stay (this runs while a flash starts). */
  if (self->target.chip == chip && self->plan != NULL)
    {
      update_findings (self);
      g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
      return;
    }
  self->target.chip = chip;
  resolve (self);
}

GVariant *
esplash_firmware_list_save_files (EsplashFirmwareList *self)
{
  GVariantBuilder builder;

  g_return_val_if_fail (ESPLASH_IS_FIRMWARE_LIST (self), NULL);

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("as"));
  for (guint i = 0; i < self->paths->len; i++)
    {
      g_autoptr(GFile) file = g_file_new_for_path (g_ptr_array_index (self->paths, i));
      g_autofree char *uri = g_file_get_uri (file);

      g_variant_builder_add (&builder, "s", uri);
    }
  return g_variant_builder_end (&builder);
}

GVariant *
esplash_firmware_list_save_changes (EsplashFirmwareList *self)
{
  GVariantBuilder builder;
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (ESPLASH_IS_FIRMWARE_LIST (self), NULL);

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(sub)"));
  g_hash_table_iter_init (&iter, self->changes);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const Change *change = value;
      g_autoptr(GFile) file = g_file_new_for_path (key);
      g_autofree char *uri = g_file_get_uri (file);

      if (!change->removed)
        g_variant_builder_add (&builder, "(sub)", uri,
                               change->has_offset ? change->offset : G_MAXUINT32, change->enabled);
    }
  return g_variant_builder_end (&builder);
}

void
esplash_firmware_list_restore (EsplashFirmwareList *self,
                               GVariant            *files,
                               GVariant            *changes)
{
  GVariantIter iter;
  const char *uri;
  guint32 offset;
  gboolean enabled;

  g_return_if_fail (ESPLASH_IS_FIRMWARE_LIST (self));
  g_return_if_fail (g_variant_is_of_type (files, G_VARIANT_TYPE ("as")));
  g_return_if_fail (g_variant_is_of_type (changes, G_VARIANT_TYPE ("a(sub)")));

  g_variant_iter_init (&iter, changes);
  while (g_variant_iter_next (&iter, "(&sub)", &uri, &offset, &enabled))
    {
      g_autoptr(GFile) file = g_file_new_for_uri (uri);
      g_autofree char *path = g_file_get_path (file);
      Change *change;

      if (path == NULL)
        continue;
      change = ensure_change (self, path);
      change->has_offset = offset != G_MAXUINT32;
      change->offset = offset;
      change->enabled = enabled;
    }

  g_variant_iter_init (&iter, files);
  while (g_variant_iter_next (&iter, "&s", &uri))
    {
      g_autoptr(GFile) file = g_file_new_for_uri (uri);
      g_autofree char *path = g_file_get_path (file);

      /* What was deleted since is quietly forgotten. */
      if (path != NULL && g_file_test (path, G_FILE_TEST_EXISTS) &&
          !g_ptr_array_find_with_equal_func (self->paths, path, g_str_equal, NULL))
        g_ptr_array_add (self->paths, g_steal_pointer (&path));
    }
  rebuild (self);
}

EsplashFirmwareRow *
esplash_firmware_list_find_row (EsplashFirmwareList *self,
                                const char          *name)
{
  EsplashFirmwareRow *row;

  g_return_val_if_fail (ESPLASH_IS_FIRMWARE_LIST (self), NULL);

  FOREACH_ROW (self, row)
    {
      if (g_strcmp0 (esplash_firmware_row_get_name (row), name) == 0)
        return row;
    }
  return NULL;
}

static void
chooser_response_cb (EsplashFirmwareList  *self,
                     gint                  response,
                     GtkFileChooserNative *chooser)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) model = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (chooser));
      g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
      guint n = g_list_model_get_n_items (model);

      for (guint i = 0; i < n; i++)
        g_ptr_array_add (files, g_list_model_get_item (model, i));
      esplash_firmware_list_add_files (self, (GFile *const *) files->pdata, files->len);
    }
  g_clear_object (&self->chooser);
}

void
esplash_firmware_list_choose_files (EsplashFirmwareList *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autoptr(GtkFileFilter) images = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  g_return_if_fail (ESPLASH_IS_FIRMWARE_LIST (self));

  if (self->chooser != NULL)
    return;

  self->chooser = gtk_file_chooser_native_new (_("Add Firmware"),
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_OPEN,
                                               _("_Add"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (self->chooser), TRUE);
  gtk_file_filter_set_name (images, _("Firmware and build descriptions"));
  gtk_file_filter_add_suffix (images, "bin");
  gtk_file_filter_add_suffix (images, "hex");
  gtk_file_filter_add_suffix (images, "json");
  gtk_file_filter_add_pattern (images, "flash*args");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), images);
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), all);
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (chooser_response_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
esplash_firmware_list_dispose (GObject *object)
{
  EsplashFirmwareList *self = ESPLASH_FIRMWARE_LIST (object);

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), ESPLASH_TYPE_FIRMWARE_LIST);

  G_OBJECT_CLASS (esplash_firmware_list_parent_class)->dispose (object);
}

static void
esplash_firmware_list_finalize (GObject *object)
{
  EsplashFirmwareList *self = ESPLASH_FIRMWARE_LIST (object);

  g_clear_object (&self->plan);
  g_clear_object (&self->bundle);
  g_clear_pointer (&self->changes, g_hash_table_unref);
  g_clear_pointer (&self->paths, g_ptr_array_unref);

  G_OBJECT_CLASS (esplash_firmware_list_parent_class)->finalize (object);
}

static void
esplash_firmware_list_class_init (EsplashFirmwareListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = esplash_firmware_list_dispose;
  object_class->finalize = esplash_firmware_list_finalize;

  /* The plan changed: files added or removed, an offset or switch edited,
   * the chip became known. */
  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* A line for the log (an EsplashLogLevel and the text). */
  signals[SIGNAL_MESSAGE] =
    g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/esplash/Esplash/esplash-firmware-list.ui");
  gtk_widget_class_bind_template_child (widget_class, EsplashFirmwareList, box);
  gtk_widget_class_bind_template_child (widget_class, EsplashFirmwareList, list);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
esplash_firmware_list_init (EsplashFirmwareList *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->paths = g_ptr_array_new_with_free_func (g_free);
  self->changes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->bundle = esplash_bundle_new ();
  esplash_plan_target_init (&self->target);
}

/**
 * esplash_firmware_list_find_elf:
 *
 * Returns: (transfer full) (nullable): the app's ELF beside what was added
 *   (a build folder, flasher_args.json, an Arduino or PlatformIO output)
 */
char *
esplash_firmware_list_find_elf (EsplashFirmwareList *self)
{
  g_return_val_if_fail (ESPLASH_IS_FIRMWARE_LIST (self), NULL);

  for (guint i = 0; i < self->paths->len; i++)
    {
      char *elf = esplash_elf_find_for_build (g_ptr_array_index (self->paths, i));

      if (elf != NULL)
        return elf;
    }
  return NULL;
}
