/* esplash-image.c: ESP firmware image parsing and flash-parameter patching
 * (protocol.md §8.1, §8.2, §8.4).
 *
 * Every offset is a gsize and every length is compared against what remains
 * of the buffer before it is used, so a 32-bit segment size can never wrap an
 * addition.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-bytes-private.h"

#include <string.h>

#include "esplash-image-private.h"
#include "esplash-error.h"

#define HEADER_LEN          8
#define EXT_HEADER_LEN      16
#define SEGMENT_HEADER_LEN  8
#define SHA256_LEN          32
#define CHECKSUM_SEED       0xEF
#define V2_HEADER_SEGMENTS  4      /* the "count" byte of a v2 first header */
/* 16 segments of at most the largest flash (128 MiB) cannot exceed this. */
#define MAX_IMAGE_LEN       ((gsize) 256 * 1024 * 1024)

typedef enum {
  LAYOUT_ESP8266_V1,
  LAYOUT_ESP8266_V2,
  LAYOUT_ESP32,
} Layout;

static gboolean
chip_is_esp8266 (const EsplashChipInfo *chip)
{
  return chip->family == ESPLASH_CHIP_ESP8266 || chip->image_chip_id < 0;
}

/* Without a chip, an 0xE9 image is taken as ESP32 family only when bytes
 * 8–23 look like an extended header: a known chip id, zero reserved bytes and
 * a valid hash_appended flag. In an ESP8266 v1 image those bytes are the first
 * segment header and data, which essentially never match all three. */
static gboolean
looks_like_extended_header (const guint8 *data,
                            gsize         len)
{
  const guint8 *ext = data + HEADER_LEN;

  if (len < HEADER_LEN + EXT_HEADER_LEN)
    return FALSE;
  if (ext[15] > 1)
    return FALSE;
  for (guint i = 11; i < 15; i++)
    if (ext[i] != 0)
      return FALSE;
  return esplash_chip_from_image_id (esplash_read_le16 (ext + 4)) != NULL;
}

static gboolean
choose_layout (const guint8           *data,
               gsize                   len,
               const EsplashChipInfo  *chip,
               Layout                 *layout,
               GError                **error)
{
  guint8 magic = data[0];

  if (chip != NULL && chip_is_esp8266 (chip))
    {
      if (magic == ESPLASH_IMAGE_MAGIC)
        *layout = LAYOUT_ESP8266_V1;
      else if (magic == ESPLASH_IMAGE_MAGIC_ESP8266_V2)
        *layout = LAYOUT_ESP8266_V2;
      else
        {
          g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                       "Not a firmware image: the first byte is 0x%02X; an ESP8266 image "
                       "starts with 0xE9 (v1) or 0xEA (v2)", magic);
          return FALSE;
        }
      return TRUE;
    }

  if (chip != NULL)
    {
      if (magic == ESPLASH_IMAGE_MAGIC)
        {
          *layout = LAYOUT_ESP32;
          return TRUE;
        }
      if (magic == ESPLASH_IMAGE_MAGIC_ESP8266_V2)
        g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                     "This is an ESP8266 v2 image (first byte 0xEA), not an image for %s",
                     chip->name);
      else
        g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                     "Not a firmware image: the first byte is 0x%02X; an %s image "
                     "starts with 0xE9", magic, chip->name);
      return FALSE;
    }

  if (magic == ESPLASH_IMAGE_MAGIC_ESP8266_V2)
    *layout = LAYOUT_ESP8266_V2;
  else if (magic == ESPLASH_IMAGE_MAGIC)
    *layout = looks_like_extended_header (data, len) ? LAYOUT_ESP32 : LAYOUT_ESP8266_V1;
  else
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                   "Not a firmware image: the first byte is 0x%02X, not 0xE9 "
                   "(or 0xEA for an ESP8266 v2 image)", magic);
      return FALSE;
    }
  return TRUE;
}

/* Reads @count segments starting at *@pos into info->segments from index
 * info->n_segments on, XOR-ing their data into *@checksum when non-NULL. */
static gboolean
read_segments (const guint8      *data,
               gsize              len,
               gsize             *pos,
               guint              count,
               guint8            *checksum,
               EsplashImageInfo  *info,
               GError           **error)
{
  for (guint n = 0; n < count; n++)
    {
      guint index = info->n_segments;
      EsplashImageSegment *seg;
      guint32 addr, size;

      g_assert (index < ESPLASH_IMAGE_MAX_SEGMENTS);
      if (len - *pos < SEGMENT_HEADER_LEN)
        {
          g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                       "Image truncated: the header of segment %u at offset 0x%zx needs "
                       "8 bytes but the file is only %zu bytes long", index, *pos, len);
          return FALSE;
        }
      addr = esplash_read_le32 (data + *pos);
      size = esplash_read_le32 (data + *pos + 4);
      if (size > len - *pos - SEGMENT_HEADER_LEN)
        {
          g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                       "Image truncated: segment %u (header at offset 0x%zx, load address "
                       "0x%08x) declares %u bytes of data, but only %zu bytes follow in "
                       "the %zu-byte file",
                       index, *pos, addr, size, len - *pos - SEGMENT_HEADER_LEN, len);
          return FALSE;
        }
      *pos += SEGMENT_HEADER_LEN;
      seg = &info->segments[index];
      seg->load_address = addr;
      seg->file_offset = (guint32) *pos;
      seg->size = size;
      if (checksum != NULL)
        for (gsize i = 0; i < size; i++)
          *checksum ^= data[*pos + i];
      *pos += size;
      info->n_segments++;
    }
  return TRUE;
}

static gboolean
check_segment_count (guint    total,
                     GError **error)
{
  if (total <= ESPLASH_IMAGE_MAX_SEGMENTS)
    return TRUE;
  g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
               "Invalid image: it declares %u segments, at most %u are allowed "
               "(usually a linker script problem, or not an image at all)",
               total, ESPLASH_IMAGE_MAX_SEGMENTS);
  return FALSE;
}

/* The checksum byte sits where the file position becomes ≡ 15 (mod 16). */
static gboolean
read_checksum (const guint8      *data,
               gsize              len,
               gsize              pos,
               EsplashImageInfo  *info,
               GError           **error)
{
  gsize at = pos + (15 - pos % 16);

  if (at >= len)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                   "Image truncated: the checksum byte belongs at offset 0x%zx but the "
                   "file is only %zu bytes long", at, len);
      return FALSE;
    }
  info->checksum_stored = data[at];
  info->data_length = at + 1;
  return TRUE;
}

static void
compute_sha256 (const guint8 *data,
                gsize         len,
                guint8        digest[SHA256_LEN])
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize digest_len = SHA256_LEN;

  g_checksum_update (sum, data, (gssize) len);
  g_checksum_get_digest (sum, digest, &digest_len);
  g_assert (digest_len == SHA256_LEN);
}

static void
read_common_header (const guint8     *data,
                    EsplashImageInfo *info)
{
  info->flash_mode = data[2];
  info->flash_size_freq = data[3];
  info->entry = esplash_read_le32 (data + 4);
}

static gboolean
parse_esp32 (const guint8      *data,
             gsize              len,
             EsplashImageInfo  *info,
             GError           **error)
{
  const guint8 *ext = data + HEADER_LEN;
  gsize pos = HEADER_LEN + EXT_HEADER_LEN;
  guint8 checksum = CHECKSUM_SEED;

  if (len < HEADER_LEN + EXT_HEADER_LEN)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                   "Image truncated: the file is %zu bytes long, shorter than the 24-byte "
                   "header (8-byte header and 16-byte extended header)", len);
      return FALSE;
    }
  read_common_header (data, info);
  info->has_extended_header = TRUE;
  info->wp_pin = ext[0];
  info->chip_id = esplash_read_le16 (ext + 4);
  info->min_rev = ext[6];
  info->min_rev_full = esplash_read_le16 (ext + 7);
  info->max_rev_full = esplash_read_le16 (ext + 9);
  if (ext[15] > 1)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                   "Invalid image: the hash_appended byte (offset 0x17) is 0x%02X; "
                   "only 0 or 1 are valid", ext[15]);
      return FALSE;
    }
  info->hash_appended = ext[15] == 1;

  if (!check_segment_count (info->n_segments + data[1], error) ||
      !read_segments (data, len, &pos, data[1], &checksum, info, error) ||
      !read_checksum (data, len, pos, info, error))
    return FALSE;
  info->checksum_computed = checksum;

  if (info->hash_appended)
    {
      guint8 digest[SHA256_LEN];

      if (len - info->data_length < SHA256_LEN)
        {
          g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                       "Image truncated: the SHA-256 digest at offset 0x%zx needs 32 bytes "
                       "but only %zu remain in the %zu-byte file",
                       info->data_length, len - info->data_length, len);
          return FALSE;
        }
      memcpy (info->sha256_stored, data + info->data_length, SHA256_LEN);
      compute_sha256 (data, info->data_length, digest);
      info->sha256_valid = memcmp (digest, info->sha256_stored, SHA256_LEN) == 0;
    }

  esplash_image_read_descs (data, info);
  return TRUE;
}

static gboolean
parse_esp8266_v1 (const guint8      *data,
                  gsize              len,
                  EsplashImageInfo  *info,
                  GError           **error)
{
  gsize pos = HEADER_LEN;
  guint8 checksum = CHECKSUM_SEED;

  read_common_header (data, info);
  if (!check_segment_count (data[1], error) ||
      !read_segments (data, len, &pos, data[1], &checksum, info, error) ||
      !read_checksum (data, len, pos, info, error))
    return FALSE;
  info->checksum_computed = checksum;
  return TRUE;
}

/* v2: a first 0xEA header, the IROM segment (not checksummed), then a
 * normal 0xE9 header with the RAM segments and the checksum. The trailing
 * CRC32 is not checked. */
static gboolean
parse_esp8266_v2 (const guint8      *data,
                  gsize              len,
                  EsplashImageInfo  *info,
                  GError           **error)
{
  gsize pos = HEADER_LEN;
  guint8 checksum = CHECKSUM_SEED;
  const guint8 *second;

  if (data[1] != V2_HEADER_SEGMENTS)
    g_debug ("ESP8266 v2 image: first header has 'segment count' %u (usually 4)", data[1]);
  if (!read_segments (data, len, &pos, 1, NULL, info, error))
    {
      g_prefix_error (error, "IROM segment of the ESP8266 v2 image: ");
      return FALSE;
    }
  info->segments[0].load_address = 0;

  if (len - pos < HEADER_LEN)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                   "Image truncated: the second header of the ESP8266 v2 image at offset "
                   "0x%zx needs 8 bytes but the file is only %zu bytes long", pos, len);
      return FALSE;
    }
  second = data + pos;
  if (second[0] != ESPLASH_IMAGE_MAGIC)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                   "Invalid ESP8266 v2 image: the second header at offset 0x%zx starts "
                   "with 0x%02X instead of 0xE9", pos, second[0]);
      return FALSE;
    }
  /* esptool uses the second header's values when the two disagree. */
  read_common_header (second, info);
  pos += HEADER_LEN;
  if (!check_segment_count (info->n_segments + second[1], error) ||
      !read_segments (data, len, &pos, second[1], &checksum, info, error) ||
      !read_checksum (data, len, pos, info, error))
    return FALSE;
  info->checksum_computed = checksum;
  return TRUE;
}

/**
 * esplash_image_parse:
 * @data: (array length=len): the file contents
 * @len: their length
 * @chip: (nullable): the target chip, or %NULL to infer the layout
 * @info: (out caller-allocates): filled on success (zeroed on failure)
 * @error: return location for an %ESPLASH_ERROR_INVALID_IMAGE error
 *
 * Bad checksums and digests are reported in @info, not as errors: esptool
 * flashes such images too, and a caller may want to warn only.
 *
 * Returns: %TRUE if @data has the structure of an image
 */
gboolean
esplash_image_parse (const guint8           *data,
                     gsize                   len,
                     const EsplashChipInfo  *chip,
                     EsplashImageInfo       *info,
                     GError                **error)
{
  Layout layout;
  gboolean ok;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (info != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (info, 0, sizeof *info);
  if (len == 0)
    {
      g_set_error_literal (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                           "The file is empty, not a firmware image");
      return FALSE;
    }
  if (len > MAX_IMAGE_LEN)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                   "The file is %zu bytes long, larger than any ESP flash; not a "
                   "firmware image", len);
      return FALSE;
    }
  if (!choose_layout (data, len, chip, &layout, error))
    return FALSE;
  if (len < HEADER_LEN)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE,
                   "Image truncated: the file is %zu bytes long, shorter than the 8-byte "
                   "image header", len);
      return FALSE;
    }

  info->magic = data[0];
  switch (layout)
    {
    case LAYOUT_ESP32:
      ok = parse_esp32 (data, len, info, error);
      break;
    case LAYOUT_ESP8266_V2:
      ok = parse_esp8266_v2 (data, len, info, error);
      break;
    case LAYOUT_ESP8266_V1:
    default:
      ok = parse_esp8266_v1 (data, len, info, error);
      break;
    }
  if (!ok)
    memset (info, 0, sizeof *info);
  return ok;
}

/* Resolves the three arguments to codes; -1 keeps the image's value.
 * *@warning may be set (size "detect" without a usable detected size). */
static gboolean
resolve_flash_args (const EsplashChipInfo  *chip,
                    const char             *mode,
                    const char             *freq,
                    const char             *size,
                    guint32                 detected_size,
                    gint                   *mode_code,
                    gint                   *freq_code,
                    gint                   *size_code,
                    char                  **warning,
                    GError                **error)
{
  *mode_code = *freq_code = *size_code = -1;

  if (mode != NULL && g_strcmp0 (mode, "keep") != 0)
    {
      *mode_code = esplash_flash_mode_code (mode);
      if (*mode_code < 0)
        {
          g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT,
                       "Unknown flash mode “%s”; use qio, qout, dio, dout or keep", mode);
          return FALSE;
        }
    }
  if (freq != NULL && g_strcmp0 (freq, "keep") != 0)
    {
      *freq_code = esplash_chip_flash_freq_code (chip, freq);
      if (*freq_code < 0)
        {
          g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT,
                       "Flash frequency “%s” is not supported by %s", freq, chip->name);
          return FALSE;
        }
    }
  if (size != NULL && g_strcmp0 (size, "keep") != 0)
    {
      if (g_strcmp0 (size, "detect") == 0)
        {
          *size_code = detected_size != 0 ? esplash_chip_flash_size_code (chip, detected_size) : -1;
          if (*size_code < 0)
            *warning = detected_size != 0
              ? g_strdup_printf ("Detected flash size of %u bytes has no header code on %s; "
                                 "keeping the image's flash size", detected_size, chip->name)
              : g_strdup ("Flash size could not be detected; keeping the image's flash size");
        }
      else
        {
          guint32 bytes = esplash_flash_size_parse (size);

          *size_code = bytes != 0 ? esplash_chip_flash_size_code (chip, bytes) : -1;
          if (*size_code < 0)
            {
              if (bytes == 0)
                g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT,
                             "Unknown flash size “%s”; use a size such as 4MB, detect or keep",
                             size);
              else
                g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT,
                             "Flash size “%s” is not supported by %s", size, chip->name);
              return FALSE;
            }
        }
    }
  return TRUE;
}

static char *
join_messages (char       *first,
               const char *second)
{
  char *joined;

  if (first == NULL)
    return g_strdup (second);
  joined = g_strconcat (first, "; ", second, NULL);
  g_free (first);
  return joined;
}

/**
 * esplash_image_patch_flash_params:
 * @image: the bootloader image as it will be written
 * @chip: the target chip
 * @mode: (nullable): "qio", "qout", "dio", "dout", or %NULL/"keep"
 * @freq: (nullable): "40m" etc. (per chip), or %NULL/"keep"
 * @size: (nullable): "4MB" etc., "detect", or %NULL/"keep"
 * @detected_size: the flash size in bytes read from the chip, 0 if unknown
 * @message: (out) (optional) (nullable): a log line saying what was done,
 *   %NULL when there is nothing to say (all three "keep")
 * @error: return location for an %ESPLASH_ERROR_INVALID_ARGUMENT error
 *
 * An image that does not parse as a valid image for @chip is returned as is
 * with a message saying so, as esptool does.
 *
 * Returns: (transfer full): the image to write, or %NULL on bad arguments
 */
GBytes *
esplash_image_patch_flash_params (GBytes                *image,
                                  const EsplashChipInfo *chip,
                                  const char            *mode,
                                  const char            *freq,
                                  const char            *size,
                                  guint32                detected_size,
                                  char                 **message,
                                  GError               **error)
{
  g_autofree char *msg = NULL;
  g_autoptr(GError) parse_error = NULL;
  EsplashImageInfo info;
  const guint8 *data;
  gsize len;
  gint mode_code, freq_code, size_code;
  guint8 *copy;
  guint8 byte3;

  g_return_val_if_fail (image != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (message != NULL)
    *message = NULL;
  if (chip == NULL)
    {
      g_set_error_literal (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT,
                           "Cannot patch flash parameters without knowing the chip");
      return NULL;
    }
  if (!resolve_flash_args (chip, mode, freq, size, detected_size,
                           &mode_code, &freq_code, &size_code, &msg, error))
    return NULL;
  if (mode_code < 0 && freq_code < 0 && size_code < 0)
    {
      if (message != NULL)
        *message = g_steal_pointer (&msg);
      return g_bytes_ref (image);
    }

  data = g_bytes_get_data (image, &len);
  if (len < HEADER_LEN || data[0] != ESPLASH_IMAGE_MAGIC)
    {
      msg = join_messages (msg, "The file doesn't look like a bootloader image (no 0xE9 "
                                "header), so not changing any flash settings");
      if (message != NULL)
        *message = g_steal_pointer (&msg);
      return g_bytes_ref (image);
    }
  if (!esplash_image_parse (data, len, chip, &info, &parse_error) ||
      (info.has_extended_header && info.chip_id != chip->image_chip_id))
    {
      g_autofree char *why = parse_error != NULL
        ? g_strdup_printf ("The file is not a valid %s image (%s), so not changing any "
                           "flash settings", chip->name, parse_error->message)
        : g_strdup_printf ("The image is for chip id %u, not %s (id %d), so not changing "
                           "any flash settings", info.chip_id, chip->name, chip->image_chip_id);
      msg = join_messages (msg, why);
      if (message != NULL)
        *message = g_steal_pointer (&msg);
      return g_bytes_ref (image);
    }

  byte3 = data[3];
  if (freq_code >= 0)
    byte3 = (guint8) ((byte3 & 0xF0) | (freq_code & 0x0F));
  if (size_code >= 0)
    byte3 = (guint8) ((byte3 & 0x0F) | (size_code & 0x0F) << 4);

  copy = g_memdup2 (data, len);
  if (mode_code >= 0)
    copy[2] = (guint8) mode_code;
  copy[3] = byte3;
  if (copy[2] != data[2] || copy[3] != data[3])
    {
      g_autofree char *what = g_strdup_printf ("Flash params set to 0x%02x%02x", copy[2], copy[3]);
      msg = join_messages (msg, what);
    }
  else
    {
      g_autofree char *what = g_strdup_printf ("Flash params already 0x%02x%02x", copy[2], copy[3]);
      msg = join_messages (msg, what);
    }
  /* Like esptool, the digest is rewritten whenever one is appended; the
   * bytes after it (a merged image) stay as they are. */
  if (info.hash_appended)
    compute_sha256 (copy, info.data_length, copy + info.data_length);

  if (message != NULL)
    *message = g_steal_pointer (&msg);
  if (memcmp (copy, data, len) == 0)
    {
      g_free (copy);
      return g_bytes_ref (image);
    }
  return g_bytes_new_take (copy, len);
}
