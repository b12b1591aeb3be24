/* fuzz-main.c: a small deterministic driver for the fuzz targets when they
 * are not built with -fsanitize=fuzzer (libFuzzer brings its own main).
 *
 * Usage: fuzz-<target> [--iterations N] [--seed S] SEED-FILE…
 * Relative seed paths are looked up in $ESPLASH_SHARED_DIR/testdata/images.
 * Every input is passed in a buffer of exactly its size, so a sanitizer
 * build catches any read past the end.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#ifndef ESPLASH_LIBFUZZER

#define MAX_FUZZ_INPUT  (64 * 1024)

static const guint8 interesting8[] = { 0x00, 0x01, 0x02, 0x0F, 0x10, 0x11, 0x20, 0x7F, 0x80,
                                       0xAA, 0x50, 0xEB, 0xE9, 0xEA, 0xEF, 0xFE, 0xFF };
static const guint32 interesting32[] = { 0, 1, 8, 16, 32, 0x7F, 0x400, 0x1000, 0x10000,
                                         0x7FFFFFFF, 0x80000000, 0xFFFFFFF0, 0xFFFFFFFF,
                                         0xABCD5432 };

/* Positions near the start hit the headers, where the structure is. */
static gsize
pick_pos (GRand *rand,
          gsize  len)
{
  if (len == 0)
    return 0;
  if (g_rand_boolean (rand))
    return g_rand_int_range (rand, 0, (gint32) MIN (len, 64));
  return g_rand_int_range (rand, 0, (gint32) MIN (len, G_MAXINT32));
}

static void
mutate (GRand      *rand,
        GByteArray *buf,
        GPtrArray  *seeds)
{
  guint n = g_rand_int_range (rand, 1, 9);

  for (guint k = 0; k < n; k++)
    {
      gsize len = buf->len, pos = pick_pos (rand, len);

      switch (g_rand_int_range (rand, 0, 9))
        {
        case 0:   /* flip a bit */
          if (len > 0)
            buf->data[pos] ^= (guint8) (1u << g_rand_int_range (rand, 0, 8));
          break;
        case 1:   /* random byte */
          if (len > 0)
            buf->data[pos] = (guint8) g_rand_int (rand);
          break;
        case 2:   /* interesting byte */
          if (len > 0)
            buf->data[pos] = interesting8[g_rand_int_range (rand, 0, G_N_ELEMENTS (interesting8))];
          break;
        case 3:   /* interesting little-endian word */
          if (len >= 4)
            {
              guint32 v = interesting32[g_rand_int_range (rand, 0, G_N_ELEMENTS (interesting32))];

              pos = MIN (pos, len - 4);
              for (guint i = 0; i < 4; i++)
                buf->data[pos + i] = (guint8) (v >> (8 * i));
            }
          break;
        case 4:   /* truncate */
          g_byte_array_set_size (buf, g_rand_int_range (rand, 0, (gint32) len + 1));
          break;
        case 5:   /* append random bytes */
          {
            guint extra = g_rand_int_range (rand, 1, 64);

            for (guint i = 0; i < extra && buf->len < MAX_FUZZ_INPUT; i++)
              {
                guint8 b = (guint8) g_rand_int (rand);

                g_byte_array_append (buf, &b, 1);
              }
          }
          break;
        case 6:   /* delete a run */
          if (len > 0)
            {
              gsize run = (gsize) g_rand_int_range (rand, 1, 33);

              g_byte_array_remove_range (buf, pos, MIN (len - pos, run));
            }
          break;
        case 7:   /* insert a run of one byte */
          {
            guint run = g_rand_int_range (rand, 1, 33);
            guint8 b = interesting8[g_rand_int_range (rand, 0, G_N_ELEMENTS (interesting8))];

            if (buf->len + run > MAX_FUZZ_INPUT)
              break;
            g_byte_array_set_size (buf, len + run);
            memmove (buf->data + pos + run, buf->data + pos, len - pos);
            memset (buf->data + pos, b, run);
          }
          break;
        default:  /* splice in part of another seed */
          if (seeds->len > 0 && len > 0)
            {
              GBytes *other = g_ptr_array_index (seeds, g_rand_int_range (rand, 0, seeds->len));
              gsize olen;
              const guint8 *o = g_bytes_get_data (other, &olen);
              gsize from, count, want = (gsize) g_rand_int_range (rand, 1, 129);

              if (olen == 0)
                break;
              from = g_rand_int_range (rand, 0, (gint32) MIN (olen, G_MAXINT32));
              count = MIN (MIN (olen - from, len - pos), want);
              memcpy (buf->data + pos, o + from, count);
            }
          break;
        }
    }
}

static void
run_one (const guint8 *data,
         gsize         len)
{
  /* an exact-size heap copy so overreads are caught */
  g_autofree guint8 *exact = len > 0 ? g_memdup2 (data, len) : NULL;

  LLVMFuzzerTestOneInput (exact, len);
}

int
main (int argc, char **argv)
{
  g_autoptr(GPtrArray) seeds = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GByteArray) buf = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) ctx = NULL;
  g_autoptr(GRand) rand = NULL;
  gint iterations = 20000;
  gint seed = 0x5EED;
  GOptionEntry entries[] = {
    { "iterations", 'n', 0, G_OPTION_ARG_INT, &iterations, "Number of inputs", "N" },
    { "seed", 's', 0, G_OPTION_ARG_INT, &seed, "Random seed", "S" },
    { NULL },
  };
  const char *shared = g_getenv ("ESPLASH_SHARED_DIR");

  /* a GLib critical from the code under test is a bug like a crash */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);

  ctx = g_option_context_new ("SEED-FILE…");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  for (int i = 1; i < argc; i++)
    {
      g_autofree char *path = g_path_is_absolute (argv[i]) || shared == NULL
        ? g_strdup (argv[i]) : g_build_filename (shared, "testdata", "images", argv[i], NULL);
      char *contents = NULL;
      gsize len = 0;

      if (!g_file_get_contents (path, &contents, &len, &error))
        {
          g_printerr ("%s\n", error->message);
          return 2;
        }
      g_ptr_array_add (seeds, g_bytes_new_take (contents, len));
    }
  esplash_fuzz_add_seeds (seeds);

  /* every seed as is, then mutants and noise */
  for (guint i = 0; i < seeds->len; i++)
    {
      gsize len;
      const guint8 *d = g_bytes_get_data (g_ptr_array_index (seeds, i), &len);

      run_one (d, len);
    }

  rand = g_rand_new_with_seed ((guint32) seed);
  for (gint it = 0; it < iterations; it++)
    {
      if (seeds->len == 0 || g_rand_int_range (rand, 0, 10) == 0)
        {
          guint len = g_rand_int_range (rand, 0, 600);

          g_byte_array_set_size (buf, len);
          for (guint i = 0; i < len; i++)
            buf->data[i] = (guint8) g_rand_int (rand);
          /* half of the noise starts like a real header */
          if (len > 0 && g_rand_boolean (rand))
            buf->data[0] = interesting8[g_rand_int_range (rand, 0, G_N_ELEMENTS (interesting8))];
        }
      else
        {
          GBytes *s = g_ptr_array_index (seeds, g_rand_int_range (rand, 0, seeds->len));
          gsize len;
          const guint8 *d = g_bytes_get_data (s, &len);

          g_byte_array_set_size (buf, 0);
          g_byte_array_append (buf, d, MIN (len, MAX_FUZZ_INPUT));
          mutate (rand, buf, seeds);
        }
      run_one (buf->data, buf->len);
    }

  g_print ("%d inputs from %u seeds (seed %d): no crash\n", iterations, seeds->len, seed);
  return 0;
}

#endif /* ESPLASH_LIBFUZZER */
