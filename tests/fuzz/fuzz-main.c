/* fuzz-main.c: a small deterministic driver for the fuzz targets when they
 * are not built with -fsanitize=fuzzer (libFuzzer brings its own main; this
 * file then only adds its initialisation hook).
 *
 * Usage: fuzz-<target> [--iterations N] [--seed S] [--crash-file PATH] SEED-FILE|CORPUS-DIR…
 * Every file of a directory (a corpus, tests/fuzz/corpus/<target>/) is a
 * seed. A relative path that does not exist here is looked up in
 * $ESPLASH_SHARED_DIR/testdata/images.
 * Every seed runs as is first (the corpus replay), then the mutants. Every
 * input is passed in a buffer of exactly its size, so a sanitizer build
 * catches any read past the end; an input that crashes is written to the
 * --crash-file (fuzz-crash.bin), to become a corpus file once fixed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

/* a GLib critical or warning from the code under test is a bug like a crash */
static void
make_warnings_fatal (void)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
}

#ifdef ESPLASH_LIBFUZZER

int LLVMFuzzerInitialize (int *argc, char ***argv);

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  make_warnings_fatal ();
  return 0;
}

#else

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

/* The input being run, written to crash_path if it kills the process. */
static const guint8 *current;
static gsize current_len;
static const char *crash_path = "fuzz-crash.bin";

static void
crash_cb (int sig)
{
  int fd = open (crash_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

  if (fd >= 0)
    {
      static const char msg[] = "fuzz: the crashing input is in the --crash-file\n";

      if (current_len > 0 && write (fd, current, current_len) < 0)
        (void) 0;
      close (fd);
      if (write (STDERR_FILENO, msg, sizeof msg - 1) < 0)
        (void) 0;
    }
  raise (sig);   /* SA_RESETHAND: the default action now */
}

static void
catch_crashes (void)
{
  static const int signals[] = { SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP };
  struct sigaction sa;

  memset (&sa, 0, sizeof sa);
  sa.sa_handler = crash_cb;
  sa.sa_flags = SA_RESETHAND;
  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    sigaction (signals[i], &sa, NULL);
}

static void
run_one (const guint8 *data,
         gsize         len)
{
  /* an exact-size heap copy so overreads are caught */
  g_autofree guint8 *exact = len > 0 ? g_memdup2 (data, len) : NULL;

  current = exact;
  current_len = len;
  LLVMFuzzerTestOneInput (exact, len);
  current = NULL;
  current_len = 0;
}

static gboolean
add_seed_file (GPtrArray   *seeds,
               const char  *path,
               GError     **error)
{
  char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, error))
    return FALSE;
  g_ptr_array_add (seeds, g_bytes_new_take (contents, len));
  return TRUE;
}

static gint
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* Every file in @dir, in name order. */
static gboolean
add_corpus (GPtrArray   *seeds,
            const char  *dir,
            guint       *n_files,
            GError     **error)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, error);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  guint before = *n_files;

  if (d == NULL)
    return FALSE;
  while ((name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dir, g_ptr_array_index (names, i), NULL);

      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        continue;
      if (!add_seed_file (seeds, path, error))
        return FALSE;
      (*n_files)++;
    }
  if (*n_files == before)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "No corpus files in %s", dir);
      return FALSE;
    }
  return TRUE;
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
  guint n_corpus = 0;
  g_autofree char *crash_file = NULL;
  GOptionEntry entries[] = {
    { "iterations", 'n', 0, G_OPTION_ARG_INT, &iterations, "Number of inputs", "N" },
    { "seed", 's', 0, G_OPTION_ARG_INT, &seed, "Random seed", "S" },
    { "crash-file", 'c', 0, G_OPTION_ARG_FILENAME, &crash_file,
      "Where a crashing input is written (default: fuzz-crash.bin)", "PATH" },
    { NULL },
  };
  const char *shared = g_getenv ("ESPLASH_SHARED_DIR");

  make_warnings_fatal ();

  ctx = g_option_context_new ("SEED-FILE|CORPUS-DIR…");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (crash_file != NULL)
    crash_path = crash_file;
  catch_crashes ();

  for (int i = 1; i < argc; i++)
    {
      gboolean as_given = g_path_is_absolute (argv[i]) || shared == NULL ||
                          g_file_test (argv[i], G_FILE_TEST_EXISTS);
      g_autofree char *path = as_given
        ? g_strdup (argv[i]) : g_build_filename (shared, "testdata", "images", argv[i], NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          if (!add_corpus (seeds, path, &n_corpus, &error))
            {
              g_printerr ("%s\n", error->message);
              return 2;
            }
        }
      else if (!add_seed_file (seeds, path, &error))
        {
          g_printerr ("%s\n", error->message);
          return 2;
        }
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

  g_print ("%u seeds (%u corpus files) replayed, %d inputs from them (seed %d): no crash\n",
           seeds->len, n_corpus, iterations, seed);
  return 0;
}

#endif /* ESPLASH_LIBFUZZER */
