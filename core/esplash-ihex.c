/* esplash-ihex.c: Intel HEX files → flash regions.
 *
 * Records are collected first and merged afterwards, so data given out of
 * order (which HEX allows) still becomes one region per contiguous run, and
 * overlapping records are found wherever they are in the file.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esplash-ihex.h"
#include "esplash-error.h"

enum {
  REC_DATA = 0x00,
  REC_EOF = 0x01,
  REC_EXT_SEGMENT = 0x02,
  REC_START_SEGMENT = 0x03,
  REC_EXT_LINEAR = 0x04,
  REC_START_LINEAR = 0x05,
};

typedef struct {
  guint64 address;
  gsize   offset;     /* into the data buffer */
  guint   len;
  guint   line;
} Record;

void
esplash_ihex_region_free (EsplashIhexRegion *region)
{
  if (region == NULL)
    return;
  g_bytes_unref (region->data);
  g_free (region);
}

gboolean
esplash_ihex_sniff (const guint8 *data,
                    gsize         len)
{
  gsize i = 0;

  /* a UTF-8 BOM or leading blank lines are tolerated */
  if (len >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF)
    i = 3;
  while (i < len && (data[i] == '\r' || data[i] == '\n'))
    i++;
  return len - i >= 11 && data[i] == ':' &&
         g_ascii_isxdigit (data[i + 1]) && g_ascii_isxdigit (data[i + 2]);
}

/* Decodes one record line (without its line end) into @bytes; returns the
 * number of bytes or 0 with @error set. */
static guint
decode_line (const char  *line,
             gsize        len,
             guint        line_no,
             guint8      *bytes,
             GError     **error)
{
  guint n, sum = 0;

  if (line[0] != ':')
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                   "line %u: a record must start with ':' (found 0x%02X)", line_no,
                   (guint8) line[0]);
      return 0;
    }
  if (len < 11 || (len - 1) % 2 != 0 || len > 1 + 2 * (255 + 5))
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                   "line %u: a record has an odd or impossible length (%zu characters)",
                   line_no, len);
      return 0;
    }
  n = (guint) (len - 1) / 2;
  for (guint i = 0; i < n; i++)
    {
      gint hi = g_ascii_xdigit_value (line[1 + 2 * i]);
      gint lo = g_ascii_xdigit_value (line[2 + 2 * i]);

      if (hi < 0 || lo < 0)
        {
          g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                       "line %u: character %u is not a hexadecimal digit", line_no,
                       hi < 0 ? 2 + 2 * i : 3 + 2 * i);
          return 0;
        }
      bytes[i] = (guint8) (hi << 4 | lo);
      sum += bytes[i];
    }
  if (bytes[0] + 5u != n)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                   "line %u: the record says it holds %u data bytes but has %u",
                   line_no, bytes[0], n < 5 ? 0 : n - 5);
      return 0;
    }
  if ((sum & 0xFF) != 0)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                   "line %u: bad record checksum 0x%02X (the bytes sum to 0x%02X, not 0); "
                   "the file is damaged — rebuild or download it again",
                   line_no, bytes[n - 1], sum & 0xFF);
      return 0;
    }
  return n;
}

static gint
compare_records (gconstpointer a,
                 gconstpointer b)
{
  const Record *ra = a, *rb = b;

  if (ra->address != rb->address)
    return ra->address < rb->address ? -1 : 1;
  return ra->line < rb->line ? -1 : ra->line > rb->line;
}

static GPtrArray *
merge_records (GArray      *records,
               GByteArray  *data,
               GError     **error)
{
  g_autoptr(GPtrArray) regions = g_ptr_array_new_with_free_func ((GDestroyNotify) esplash_ihex_region_free);
  g_autoptr(GByteArray) run = NULL;
  guint64 run_start = 0, run_end = 0;
  guint run_line = 0;

  g_array_sort (records, compare_records);
  for (guint i = 0; i <= records->len; i++)
    {
      const Record *r = i < records->len ? &g_array_index (records, Record, i) : NULL;

      if (r != NULL && run != NULL && r->address < run_end)
        {
          g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                       "line %u: data at 0x%08" G_GINT64_MODIFIER "X overlaps data given "
                       "before (the run starting on line %u); the HEX file is inconsistent",
                       r->line, r->address, run_line);
          return NULL;
        }
      if (run != NULL && (r == NULL || r->address != run_end))
        {
          EsplashIhexRegion *region = g_new0 (EsplashIhexRegion, 1);

          region->address = (guint32) run_start;
          region->data = g_byte_array_free_to_bytes (g_steal_pointer (&run));
          g_ptr_array_add (regions, region);
        }
      if (r == NULL)
        break;
      if (run == NULL)
        {
          run = g_byte_array_new ();
          run_start = r->address;
          run_line = r->line;
        }
      g_byte_array_append (run, data->data + r->offset, r->len);
      run_end = r->address + r->len;
    }
  if (regions->len == 0)
    {
      g_set_error_literal (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                           "The HEX file holds no data records: nothing to flash");
      return NULL;
    }
  return g_steal_pointer (&regions);
}

/**
 * esplash_ihex_parse:
 * @text: (array length=len): the file contents
 * @len: their length
 * @error: return location for an %ESPLASH_ERROR_INVALID_IMAGE error
 *
 * Returns: (transfer full) (element-type EsplashIhexRegion): the regions, or %NULL
 */
GPtrArray *
esplash_ihex_parse (const char  *text,
                    gsize        len,
                    GError     **error)
{
  g_autoptr(GArray) records = g_array_new (FALSE, FALSE, sizeof (Record));
  g_autoptr(GByteArray) data = g_byte_array_new ();
  guint64 base = 0;
  guint line_no = 0;
  gboolean seen_eof = FALSE;
  gsize pos = 0;

  g_return_val_if_fail (text != NULL || len == 0, NULL);

  if (len >= 3 && memcmp (text, "\xEF\xBB\xBF", 3) == 0)
    pos = 3;
  while (pos < len)
    {
      const char *line = text + pos;
      const char *nl = memchr (line, '\n', len - pos);
      gsize line_len = nl != NULL ? (gsize) (nl - line) : len - pos;
      guint8 bytes[1 + 255 + 5];
      guint n, count, type;
      guint64 address;

      pos += line_len + (nl != NULL ? 1 : 0);
      line_no++;
      if (line_len > 0 && line[line_len - 1] == '\r')
        line_len--;
      while (line_len > 0 && (line[line_len - 1] == ' ' || line[line_len - 1] == '\t'))
        line_len--;
      if (line_len == 0)
        continue;
      if (seen_eof)
        {
          g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                       "line %u: text after the end-of-file record; the file may be two HEX "
                       "files joined, split it", line_no);
          return NULL;
        }
      n = decode_line (line, line_len, line_no, bytes, error);
      if (n == 0)
        return NULL;
      count = bytes[0];
      address = (guint) bytes[1] << 8 | bytes[2];
      type = bytes[3];
      switch (type)
        {
        case REC_DATA:
          {
            Record r = { base + address, data->len, count, line_no };

            if (count == 0)
              break;
            if (r.address + count > (guint64) G_MAXUINT32 + 1)
              {
                g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                             "line %u: data at 0x%" G_GINT64_MODIFIER "X ends beyond 4 GiB",
                             line_no, r.address);
                return NULL;
              }
            if (data->len + count > ESPLASH_IHEX_MAX_DATA)
              {
                g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                             "line %u: the HEX file holds more than %zu MiB of data, more "
                             "than any ESP flash", line_no, ESPLASH_IHEX_MAX_DATA >> 20);
                return NULL;
              }
            g_byte_array_append (data, bytes + 4, count);
            g_array_append_val (records, r);
          }
          break;
        case REC_EOF:
          seen_eof = TRUE;
          break;
        case REC_EXT_SEGMENT:
        case REC_EXT_LINEAR:
          if (count != 2)
            {
              g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                           "line %u: an extended address record must hold 2 bytes, not %u",
                           line_no, count);
              return NULL;
            }
          base = (guint64) ((guint) bytes[4] << 8 | bytes[5]);
          base = type == REC_EXT_LINEAR ? base << 16 : base << 4;
          break;
        case REC_START_SEGMENT:
        case REC_START_LINEAR:
          /* an entry point: meaningless for flash contents */
          if (count != 4)
            {
              g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                           "line %u: a start address record must hold 4 bytes, not %u",
                           line_no, count);
              return NULL;
            }
          break;
        default:
          g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                       "line %u: unknown record type 0x%02X (Intel HEX has types 00–05)",
                       line_no, type);
          return NULL;
        }
    }
  if (!seen_eof)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                   "line %u: the HEX file ends without an end-of-file record (:00000001FF); "
                   "it is probably truncated", line_no);
      return NULL;
    }
  return merge_records (records, data, error);
}
