/* esplash-flash-record.c: one line per flash appended to a file — JSON
 * Lines or CSV (RFC 4180) — safely when several processes append at once.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "esplash-error.h"
#include "esplash-flash-record.h"

static const char csv_header[] =
  "time,port,usb_serial,chip,revision,mac,flash_id,flash_size,images,duration_s,ok,error,"
  "diagnosis_id";

static void
record_image_free (gpointer data)
{
  EsplashRecordImage *image = data;

  g_free (image->sha256);
  g_free (image->name);
  g_free (image);
}

/**
 * esplash_flash_record_init:
 * @record: a record to fill in
 *
 * Empties @record: no images, not ok, nothing known.
 */
void
esplash_flash_record_init (EsplashFlashRecord *record)
{
  memset (record, 0, sizeof *record);
  record->images = g_ptr_array_new_with_free_func (record_image_free);
}

/**
 * esplash_flash_record_clear:
 * @record: a record set up by esplash_flash_record_init()
 *
 * Frees what @record holds; it can be initialised again.
 */
void
esplash_flash_record_clear (EsplashFlashRecord *record)
{
  g_clear_pointer (&record->time, g_date_time_unref);
  g_clear_pointer (&record->port, g_free);
  g_clear_pointer (&record->usb_serial, g_free);
  g_clear_pointer (&record->chip, g_free);
  g_clear_pointer (&record->mac, g_free);
  g_clear_pointer (&record->images, g_ptr_array_unref);
  g_clear_pointer (&record->error, g_free);
  g_clear_pointer (&record->diagnosis_id, g_free);
}

/**
 * esplash_flash_record_add_image:
 * @record: a record
 * @offset: where @data goes in the flash
 * @data: the bytes written
 * @name: (nullable): the file's name
 *
 * Adds an image with the SHA-256 of @data.
 */
void
esplash_flash_record_add_image (EsplashFlashRecord *record,
                                guint32             offset,
                                GBytes             *data,
                                const char         *name)
{
  EsplashRecordImage *image = g_new0 (EsplashRecordImage, 1);
  gsize size = 0;
  const guint8 *bytes = g_bytes_get_data (data, &size);

  image->offset = offset;
  image->size = (guint32) size;
  image->sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, bytes != NULL ? bytes
                                                                               : (const guint8 *) "",
                                               size);
  image->name = g_strdup (name);
  g_ptr_array_add (record->images, image);
}

/**
 * esplash_flash_record_add_images:
 * @record: a record
 * @images: (element-type EsplashRecordImage): images of another record
 *
 * Adds copies of @images, digests included: a run that flashes the same
 * images to many boards hashes them once.
 */
void
esplash_flash_record_add_images (EsplashFlashRecord *record,
                                 GPtrArray          *images)
{
  for (guint i = 0; images != NULL && i < images->len; i++)
    {
      const EsplashRecordImage *image = g_ptr_array_index (images, i);
      EsplashRecordImage *copy = g_new0 (EsplashRecordImage, 1);

      copy->offset = image->offset;
      copy->size = image->size;
      copy->sha256 = g_strdup (image->sha256);
      copy->name = g_strdup (image->name);
      g_ptr_array_add (record->images, copy);
    }
}

/**
 * esplash_flash_record_set_chip:
 * @record: a record
 * @chip: what the board said of itself once connected
 *
 * Fills the chip, revision, MAC, flash ID and size.
 */
void
esplash_flash_record_set_chip (EsplashFlashRecord           *record,
                               const EsplashChipDescription *chip)
{
  g_return_if_fail (chip != NULL);

  g_free (record->chip);
  record->chip = g_strdup (chip->chip != NULL ? chip->chip->name : NULL);
  record->revision = chip->revision;
  g_free (record->mac);
  record->mac = esplash_chip_description_dup_mac (chip);
  record->flash_id = chip->flash_id;
  record->flash_size = chip->flash_size;
}

/**
 * esplash_record_format_for_path:
 * @path: the record file
 *
 * Returns: CSV for a name ending in ".csv" (any case), else JSON Lines.
 */
EsplashRecordFormat
esplash_record_format_for_path (const char *path)
{
  gsize len = strlen (path);

  if (len >= 4 && g_ascii_strcasecmp (path + len - 4, ".csv") == 0)
    return ESPLASH_RECORD_FORMAT_CSV;
  return ESPLASH_RECORD_FORMAT_JSON_LINES;
}

/**
 * esplash_flash_record_csv_header:
 *
 * Returns: the CSV header line, without the newline.
 */
const char *
esplash_flash_record_csv_header (void)
{
  return csv_header;
}

static char *
record_time (const EsplashFlashRecord *record)
{
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GDateTime) utc = NULL;

  if (record->time == NULL)
    now = g_date_time_new_now_utc ();
  utc = g_date_time_to_utc (record->time != NULL ? record->time : now);
  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
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

static char *
to_json_line (const EsplashFlashRecord *record,
              const char               *time)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *flash_id = g_strdup_printf ("0x%06x", record->flash_id);

  json_builder_begin_object (b);
  add_string_or_null (b, "time", time);
  add_string_or_null (b, "port", record->port);
  add_string_or_null (b, "usb_serial", record->usb_serial);
  add_string_or_null (b, "chip", record->chip);
  json_builder_set_member_name (b, "revision");
  json_builder_add_int_value (b, record->revision);
  add_string_or_null (b, "mac", record->mac);
  add_string_or_null (b, "flash_id", record->flash_id != 0 ? flash_id : NULL);
  json_builder_set_member_name (b, "flash_size");
  json_builder_add_int_value (b, record->flash_size);
  json_builder_set_member_name (b, "images");
  json_builder_begin_array (b);
  for (guint i = 0; record->images != NULL && i < record->images->len; i++)
    {
      const EsplashRecordImage *image = g_ptr_array_index (record->images, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "offset");
      json_builder_add_int_value (b, image->offset);
      json_builder_set_member_name (b, "size");
      json_builder_add_int_value (b, image->size);
      add_string_or_null (b, "sha256", image->sha256);
      add_string_or_null (b, "name", image->name);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "duration_s");
  json_builder_add_double_value (b, record->duration_s);
  json_builder_set_member_name (b, "ok");
  json_builder_add_boolean_value (b, record->ok);
  add_string_or_null (b, "error", record->error);
  add_string_or_null (b, "diagnosis_id", record->diagnosis_id);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

/* RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
static void
append_csv_field (GString    *line,
                  const char *value,
                  gboolean    first)
{
  if (!first)
    g_string_append_c (line, ',');
  if (value == NULL)
    return;
  if (strpbrk (value, ",\"\r\n") == NULL)
    {
      g_string_append (line, value);
      return;
    }
  g_string_append_c (line, '"');
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (line, '"');
      g_string_append_c (line, *p);
    }
  g_string_append_c (line, '"');
}

static char *
to_csv_line (const EsplashFlashRecord *record,
             const char               *time)
{
  GString *line = g_string_new (NULL);
  g_autoptr(GString) images = g_string_new (NULL);
  g_autofree char *revision = g_strdup_printf ("%u", record->revision);
  g_autofree char *flash_id = g_strdup_printf ("0x%06x", record->flash_id);
  g_autofree char *flash_size = g_strdup_printf ("%u", record->flash_size);
  char duration[G_ASCII_DTOSTR_BUF_SIZE];

  for (guint i = 0; record->images != NULL && i < record->images->len; i++)
    {
      const EsplashRecordImage *image = g_ptr_array_index (record->images, i);

      g_string_append_printf (images, "%s0x%x:%s", i > 0 ? ";" : "", image->offset,
                              image->sha256);
    }
  g_ascii_formatd (duration, sizeof duration, "%.3f", record->duration_s);

  append_csv_field (line, time, TRUE);
  append_csv_field (line, record->port, FALSE);
  append_csv_field (line, record->usb_serial, FALSE);
  append_csv_field (line, record->chip, FALSE);
  append_csv_field (line, revision, FALSE);
  append_csv_field (line, record->mac, FALSE);
  append_csv_field (line, record->flash_id != 0 ? flash_id : NULL, FALSE);
  append_csv_field (line, flash_size, FALSE);
  append_csv_field (line, images->str, FALSE);
  append_csv_field (line, duration, FALSE);
  append_csv_field (line, record->ok ? "true" : "false", FALSE);
  append_csv_field (line, record->error, FALSE);
  append_csv_field (line, record->diagnosis_id, FALSE);
  return g_string_free (line, FALSE);
}

/**
 * esplash_flash_record_to_line:
 * @record: a record
 * @format: JSON Lines or CSV
 *
 * Returns: (transfer full): the line, without the newline.
 */
char *
esplash_flash_record_to_line (const EsplashFlashRecord *record,
                              EsplashRecordFormat       format)
{
  g_autofree char *time = record_time (record);

  if (format == ESPLASH_RECORD_FORMAT_CSV)
    return to_csv_line (record, time);
  return to_json_line (record, time);
}

static void
set_file_error (GError     **error,
                const char  *path,
                int          saved_errno,
                const char  *what)
{
  EsplashError code = ESPLASH_ERROR_FAILED;
  const char *advice = "check the disk and choose another file if needed";

  if (saved_errno == EACCES || saved_errno == EPERM || saved_errno == EROFS)
    {
      code = ESPLASH_ERROR_PERMISSION_DENIED;
      advice = "choose a file you can write";
    }
  else if (saved_errno == ENOENT || saved_errno == ENOTDIR)
    {
      code = ESPLASH_ERROR_NOT_FOUND;
      advice = "choose a file in a folder that exists";
    }
  else if (saved_errno == EISDIR)
    {
      advice = "name a file, not a folder";
    }
  g_set_error (error, ESPLASH_ERROR, code, "Cannot %s the record to %s: %s — %s", what, path,
               g_strerror (saved_errno), advice);
}

static int
open_for_append (const char  *path,
                 GError     **error)
{
  int fd = g_open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);

  if (fd < 0)
    set_file_error (error, path, errno, "append");
  return fd;
}

/**
 * esplash_flash_record_check_path:
 * @path: the record file
 * @error: return location for an error
 *
 * Opens @path for appending, creating it, and closes it again.
 *
 * Returns: %TRUE if a record can be appended to @path
 */
gboolean
esplash_flash_record_check_path (const char  *path,
                                 GError     **error)
{
  int fd = open_for_append (path, error);

  if (fd < 0)
    return FALSE;
  close (fd);
  return TRUE;
}

static gboolean
write_all (int          fd,
           const char  *data,
           gsize        len,
           int         *saved_errno)
{
  /* One write() for the whole line: with O_APPEND and the lock no other
   * writer's bytes come between; a short write (disk full) goes on. */
  while (len > 0)
    {
      gssize n = write (fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          *saved_errno = n < 0 ? errno : ENOSPC;
          return FALSE;
        }
      data += n;
      len -= (gsize) n;
    }
  return TRUE;
}

/**
 * esplash_flash_record_append:
 * @record: the record
 * @path: the file to append to (created if needed)
 * @format: JSON Lines or CSV; a CSV header is written first into an empty file
 * @error: return location for an error
 *
 * Appends @record as one line. Safe when several threads or processes
 * append to the same file: the line is written under an exclusive flock()
 * with O_APPEND, in one write(), and synced.
 *
 * Returns: %TRUE on success
 */
gboolean
esplash_flash_record_append (const EsplashFlashRecord *record,
                             const char               *path,
                             EsplashRecordFormat       format,
                             GError                  **error)
{
  g_autofree char *line = esplash_flash_record_to_line (record, format);
  g_autoptr(GString) text = g_string_new (NULL);
  struct stat st;
  int saved_errno = 0;
  gboolean ok;
  int fd;

  fd = open_for_append (path, error);
  if (fd < 0)
    return FALSE;
  while (flock (fd, LOCK_EX) < 0)
    if (errno != EINTR)
      {
        saved_errno = errno;
        close (fd);
        set_file_error (error, path, saved_errno, "lock the file to append");
        return FALSE;
      }
  /* Under the lock: only the first writer of an empty file adds the header. */
  if (format == ESPLASH_RECORD_FORMAT_CSV && fstat (fd, &st) == 0 && st.st_size == 0)
    g_string_append_printf (text, "%s\r\n", csv_header);
  g_string_append (text, line);
  g_string_append (text, format == ESPLASH_RECORD_FORMAT_CSV ? "\r\n" : "\n");

  ok = write_all (fd, text->str, text->len, &saved_errno);
  if (ok && fsync (fd) < 0 && errno != EINVAL && errno != EROFS)
    {
      saved_errno = errno;
      ok = FALSE;
    }
  flock (fd, LOCK_UN);
  if (close (fd) < 0 && ok)
    {
      saved_errno = errno;
      ok = FALSE;
    }
  if (!ok)
    set_file_error (error, path, saved_errno, "append");
  return ok;
}
