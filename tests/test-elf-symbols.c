/* test-elf-symbols.c: code addresses → functions and lines
 * (esplash-elf-symbols), and finding the ELF of a dropped build
 * (esplash-elf-find).
 *
 * The ELF is tests/app-elf/panic-app.c built for rv32imc at setup
 * ($ESPLASH_TEST_APP_ELF). The expected addresses are read from its
 * symbol table with libelf, and the expected lines from the C source, so
 * nothing here is copied from the code under test; its SHA-256 is checked
 * against sha256sum. The build layouts (ESP-IDF, PlatformIO, Arduino) are
 * made in scratch folders with copies of that ELF.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "esplash.h"
#include "test-elf-rig.h"

/* esplash_elf_find_for_build(@path) is @dir/@expected (NULL: nothing). */
static void
assert_finds (const char *path,
              const char *dir,
              const char *expected)
{
  g_autofree char *found = esplash_elf_find_for_build (path);
  g_autofree char *want = NULL;
  g_autofree char *real_want = NULL;

  if (expected == NULL)
    {
      if (found != NULL)
        g_error ("%s: expected no ELF, found %s", path, found);
      return;
    }
  want = g_build_filename (dir, expected, NULL);
  real_want = realpath (want, NULL);
  g_assert_nonnull (real_want);
  if (found == NULL)
    g_error ("%s: expected %s, found nothing", path, real_want);
  g_assert_cmpstr (found, ==, real_want);
}

/* ---- ELF symbols -------------------------------------------------------- */

static void
test_symbols_functions (void)
{
  static const char *const functions[] = { "store_reading", "parse_reading", "sensor_task",
                                            "app_main" };
  const char *path = app_elf_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(EsplashElfSymbols) elf = esplash_elf_symbols_new (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (elf);
  g_assert_cmpstr (esplash_elf_symbols_get_path (elf), ==, path);

  for (guint i = 0; i < G_N_ELEMENTS (functions); i++)
    {
      const char *name = functions[i];
      guint32 start, size;
      guint first, last;

      elf_function (path, name, &start, &size);
      source_span (name, &first, &last);
      /* the entry, an address inside, the last instruction's halfword */
      for (guint32 off = 0; off < size; off += MAX (2, size / 3))
        {
          EsplashCodeLocation loc = { 0, };
          g_autofree char *line = NULL;
          g_autofree char *want = NULL;

          g_assert_true (esplash_elf_symbols_lookup (elf, start + off, &loc));
          g_assert_cmphex (loc.address, ==, start + off);
          g_assert_cmpstr (loc.function, ==, name);
          g_assert_nonnull (loc.file);
          g_assert_true (g_str_has_suffix (loc.file, "/panic-app.c"));
          g_assert_true (g_path_is_absolute (loc.file));
          g_assert_true (g_file_test (loc.file, G_FILE_TEST_IS_REGULAR));
          g_assert_cmpuint (loc.line, >=, first);
          g_assert_cmpuint (loc.line, <=, last);

          {
            g_autofree char *gnu_function = NULL;
            g_autofree char *gnu_file = NULL;
            guint gnu_line = 0;

            if (addr2line (path, start + off, &gnu_function, &gnu_file, &gnu_line))
              {
                g_assert_cmpstr (loc.function, ==, gnu_function);
                g_assert_cmpstr (loc.file, ==, gnu_file);
                g_assert_cmpuint (loc.line, ==, gnu_line);
              }
          }

          line = esplash_elf_symbols_describe (elf, start + off);
          want = g_strdup_printf ("0x%08x: %s at %s:%u", start + off, name, loc.file, loc.line);
          g_assert_cmpstr (line, ==, want);
          esplash_code_location_clear (&loc);
          g_assert_null (loc.function);
          g_assert_null (loc.file);
          g_assert_cmpuint (loc.line, ==, 0);
        }
    }
}

/* The fault of the test app: the store through NULL is store_reading's
 * first instruction, on the line that says so. */
static void
test_symbols_fault_line (void)
{
  const char *path = app_elf_path ();
  g_autoptr(EsplashElfSymbols) elf = esplash_elf_symbols_new (path, NULL);
  g_autofree char *src = app_source_path ();
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  EsplashCodeLocation loc = { 0, };
  guint32 start, size;
  guint fault_line = 0;

  g_assert_nonnull (elf);
  g_assert_true (g_file_get_contents (src, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL && fault_line == 0; i++)
    if (strstr (lines[i], "*slot = value;") != NULL)
      fault_line = i + 1;
  g_assert_cmpuint (fault_line, >, 0);

  elf_function (path, "store_reading", &start, &size);
  g_assert_true (esplash_elf_symbols_lookup (elf, start, &loc));
  g_assert_cmpuint (loc.line, ==, fault_line);
  esplash_code_location_clear (&loc);
}

static void
test_symbols_outside (void)
{
  const char *path = app_elf_path ();
  g_autoptr(EsplashElfSymbols) elf = esplash_elf_symbols_new (path, NULL);
  g_autofree char *base = g_path_get_basename (path);
  /* ROM, just before .text (in the load segment, in no section), flash
   * far away, and 0 */
  const guint32 outside[] = { 0x40000000, 0x42000000, 0x42100000, 0x00000000, 0xFFFFFFFE };
  guint32 start, size;

  g_assert_nonnull (elf);
  elf_function (path, "app_main", &start, &size);
  for (guint i = 0; i < G_N_ELEMENTS (outside); i++)
    {
      EsplashCodeLocation loc = { 0, };
      g_autofree char *line = esplash_elf_symbols_describe (elf, outside[i]);
      g_autofree char *want = g_strdup_printf ("0x%08x: ?? (not in %s)", outside[i], base);

      g_assert_false (esplash_elf_symbols_lookup (elf, outside[i], &loc));
      g_assert_null (loc.function);
      g_assert_null (loc.file);
      g_assert_cmpstr (line, ==, want);
    }
  /* just past the last function */
  {
    EsplashCodeLocation loc = { 0, };

    g_assert_false (esplash_elf_symbols_lookup (elf, start + size, &loc));
    g_assert_null (loc.function);
  }
}

static void
test_symbols_sha256 (void)
{
  const char *path = app_elf_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(EsplashElfSymbols) elf = esplash_elf_symbols_new (path, &error);
  const char *argv[] = { "sha256sum", path, NULL };
  g_autofree char *out = NULL;
  g_autofree char *upper = NULL;
  g_autofree char *wrong = NULL;
  const char *sha;
  int status = -1;

  g_assert_no_error (error);
  sha = esplash_elf_symbols_get_sha256 (elf);
  g_assert_cmpuint (strlen (sha), ==, 64);

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_true (g_str_has_prefix (out, sha));
  g_assert_cmpint (out[64], ==, ' ');

  /* what the app prints: 16 digits, any case */
  g_assert_true (esplash_elf_symbols_matches_sha256 (elf, sha));
  upper = g_ascii_strup (sha, 16);
  g_assert_true (esplash_elf_symbols_matches_sha256 (elf, upper));
  upper[8] = '\0';
  g_assert_true (esplash_elf_symbols_matches_sha256 (elf, upper));
  upper[7] = '\0';
  g_assert_false (esplash_elf_symbols_matches_sha256 (elf, upper));      /* too short */
  wrong = g_strndup (sha, 16);
  wrong[15] = wrong[15] == '0' ? '1' : '0';
  g_assert_false (esplash_elf_symbols_matches_sha256 (elf, wrong));
  wrong[15] = 'g';
  g_assert_false (esplash_elf_symbols_matches_sha256 (elf, wrong));
  g_assert_false (esplash_elf_symbols_matches_sha256 (elf, NULL));
}

static void
test_symbols_errors (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *missing = g_build_filename (dir, "build", "nothing.elf", NULL);
  g_autofree char *bin = put_file (dir, "app.bin", "\xE9\x03\x02\x20 not an ELF at all");
  g_autofree char *empty = put_file (dir, "empty.elf", "");
  g_autoptr(GError) error = NULL;
  EsplashElfSymbols *elf;

  elf = esplash_elf_symbols_new (missing, &error);
  g_assert_null (elf);
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, missing));
  g_assert_nonnull (strstr (error->message, ".elf"));
  g_clear_error (&error);

  elf = esplash_elf_symbols_new (bin, &error);
  g_assert_null (elf);
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE);
  g_assert_nonnull (strstr (error->message, "not an ELF"));
  g_assert_nonnull (strstr (error->message, ".elf"));
  g_clear_error (&error);

  elf = esplash_elf_symbols_new (empty, &error);
  g_assert_null (elf);
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE);
  g_clear_error (&error);

  elf = esplash_elf_symbols_new (dir, &error);
  g_assert_null (elf);
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE);
  g_clear_error (&error);

  rm_rf (dir);
}

/* A stripped copy (no symbol table, no DWARF) is refused; one stripped of
 * its DWARF only still names functions, without lines. */
static void
test_symbols_stripped (void)
{
  g_autofree char *strip = g_find_program_in_path ("riscv64-unknown-elf-strip");
  g_autofree char *dir = NULL;
  g_autofree char *all = NULL;
  g_autofree char *debug = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EsplashElfSymbols) elf = NULL;
  g_autofree char *line = NULL;
  guint32 start, size;
  int status;

  if (strip == NULL)
    {
      g_test_skip ("riscv64-unknown-elf-strip is not installed");
      return;
    }
  dir = make_tmp_dir ();
  all = put_file (dir, "all.elf", NULL);
  debug = put_file (dir, "debug.elf", NULL);
  {
    const char *argv_all[] = { strip, "--strip-all", all, NULL };
    const char *argv_debug[] = { strip, "--strip-debug", debug, NULL };

    g_spawn_sync (NULL, (char **) argv_all, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL,
                  &status, &error);
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    g_spawn_sync (NULL, (char **) argv_debug, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL,
                  &status, &error);
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }

  g_assert_null (esplash_elf_symbols_new (all, &error));
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_IMAGE);
  g_assert_nonnull (strstr (error->message, "stripped"));
  g_clear_error (&error);

  elf = esplash_elf_symbols_new (debug, &error);
  g_assert_no_error (error);
  elf_function (app_elf_path (), "parse_reading", &start, &size);
  line = esplash_elf_symbols_describe (elf, start + 2);
  {
    g_autofree char *want = g_strdup_printf ("0x%08x: parse_reading", start + 2);

    g_assert_cmpstr (line, ==, want);
  }
  rm_rf (dir);
}

/* An inlined function is named itself, at its own line (built here with
 * the same cross compiler). */
static void
test_symbols_inline (void)
{
  static const char source[] =
    "volatile int sink;\n"
    "\n"
    "static inline __attribute__ ((always_inline)) void\n"
    "poke (int *p, int v)\n"
    "{\n"
    "  *p = v;  /* POKE */\n"
    "  sink = v;\n"
    "}\n"
    "\n"
    "__attribute__ ((noinline)) void\n"
    "outer (int *p)\n"
    "{\n"
    "  sink = 1;\n"
    "  poke (p, 7);\n"
    "  sink = 2;\n"
    "}\n"
    "\n"
    "void\n"
    "app_main (void)\n"
    "{\n"
    "  outer ((int *) 0);\n"
    "  for (;;)\n"
    "    ;\n"
    "}\n";
  g_autofree char *gcc = g_find_program_in_path ("riscv64-unknown-elf-gcc");
  g_autofree char *dir = NULL;
  g_autofree char *src = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EsplashElfSymbols) elf = NULL;
  guint32 start, size;
  gboolean seen_inline = FALSE, seen_outer = FALSE;
  int status;

  if (gcc == NULL)
    {
      g_test_skip ("riscv64-unknown-elf-gcc is not installed");
      return;
    }
  dir = make_tmp_dir ();
  src = put_file (dir, "inline-app.c", source);
  out = g_build_filename (dir, "inline-app.elf", NULL);
  {
    const char *argv[] = { gcc, "-march=rv32imc", "-mabi=ilp32", "-g", "-O2", "-nostdlib",
                           "-ffreestanding", "-Wl,-Ttext=0x42000020", "-e", "app_main",
                           "-o", out, src, NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL,
                  &status, &error);
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }
  elf = esplash_elf_symbols_new (out, &error);
  g_assert_no_error (error);
  elf_function (out, "outer", &start, &size);
  for (guint32 a = start; a < start + size; a += 2)
    {
      EsplashCodeLocation loc = { 0, };

      g_assert_true (esplash_elf_symbols_lookup (elf, a, &loc));
      g_assert_nonnull (loc.function);
      g_assert_true (g_str_has_suffix (loc.file, "/inline-app.c"));
      {
        g_autofree char *gnu_function = NULL;
        g_autofree char *gnu_file = NULL;
        guint gnu_line = 0;

        if (addr2line (out, a, &gnu_function, &gnu_file, &gnu_line))
          {
            g_assert_cmpstr (loc.function, ==, gnu_function);
            g_assert_cmpstr (loc.file, ==, gnu_file);
            g_assert_cmpuint (loc.line, ==, gnu_line);
          }
      }
      if (strcmp (loc.function, "poke") == 0)
        {
          /* poke's lines only */
          g_assert_cmpuint (loc.line, >=, 4);
          g_assert_cmpuint (loc.line, <=, 8);
          seen_inline = TRUE;
        }
      else
        {
          g_assert_cmpstr (loc.function, ==, "outer");
          seen_outer = TRUE;
        }
      esplash_code_location_clear (&loc);
    }
  g_assert_true (seen_inline);
  g_assert_true (seen_outer);
  rm_rf (dir);
}

/* ---- finding the ELF of a build ----------------------------------------- */

static void
test_find_esp_idf (void)
{
  g_autofree char *root = make_tmp_dir ();
  char *p = NULL;

  /* a project folder with its build folder */
  g_free (put_file (root, "proj/CMakeLists.txt", "project(hello)\n"));
  g_free (put_file (root, "proj/build/project_description.json",
                    "{\n  \"version\": \"1.2\",\n  \"project_name\": \"hello\",\n"
                    "  \"build_dir\": \"/home/dev/proj/build\",\n"
                    "  \"app_elf\": \"hello.elf\",\n  \"app_bin\": \"hello.bin\"\n}\n"));
  g_free (put_file (root, "proj/build/flasher_args.json",
                    "{ \"app\": { \"offset\": \"0x10000\", \"file\": \"hello.bin\", "
                    "\"encrypted\": \"false\" } }\n"));
  g_free (put_file (root, "proj/build/hello.bin", "\xE9"));
  g_free (put_file (root, "proj/build/hello.elf", NULL));
  /* decoys: the bootloader's own ELF, another NAME.elf beside NAME.bin */
  g_free (put_file (root, "proj/build/bootloader/bootloader.bin", "\xE9"));
  g_free (put_file (root, "proj/build/bootloader/bootloader.elf", NULL));
  g_free (put_file (root, "proj/build/partition_table/partition-table.bin", "\xAA\x50"));
  g_free (put_file (root, "proj/build/aaa.bin", "\xE9"));
  g_free (put_file (root, "proj/build/aaa.elf", NULL));

  assert_finds (p = g_build_filename (root, "proj", NULL), root, "proj/build/hello.elf");
  g_free (p);
  assert_finds (p = g_build_filename (root, "proj/build", NULL), root, "proj/build/hello.elf");
  g_free (p);
  assert_finds (p = g_build_filename (root, "proj/build/", NULL), root, "proj/build/hello.elf");
  g_free (p);
  assert_finds (p = g_build_filename (root, "proj/build/hello.bin", NULL), root,
                "proj/build/hello.elf");
  g_free (p);
  assert_finds (p = g_build_filename (root, "proj/build/flasher_args.json", NULL), root,
                "proj/build/hello.elf");
  g_free (p);
  assert_finds (p = g_build_filename (root, "proj/build/bootloader/bootloader.bin", NULL), root,
                "proj/build/hello.elf");
  g_free (p);
  assert_finds (p = g_build_filename (root, "proj/build/partition_table/partition-table.bin",
                                      NULL), root, "proj/build/hello.elf");
  g_free (p);
  /* the ELF itself */
  assert_finds (p = g_build_filename (root, "proj/build/aaa.elf", NULL), root,
                "proj/build/aaa.elf");
  g_free (p);

  /* flasher_args.json alone (no project_description.json) */
  g_free (put_file (root, "flasher/flasher_args.json",
                    "{ \"flash_files\": { \"0x10000\": \"blink.bin\" },\n"
                    "  \"app\": { \"offset\": \"0x10000\", \"file\": \"blink.bin\" } }\n"));
  g_free (put_file (root, "flasher/aaa.bin", "\xE9"));
  g_free (put_file (root, "flasher/aaa.elf", NULL));
  g_free (put_file (root, "flasher/blink.bin", "\xE9"));
  g_free (put_file (root, "flasher/blink.elf", NULL));
  assert_finds (p = g_build_filename (root, "flasher", NULL), root, "flasher/blink.elf");
  g_free (p);

  /* a description naming a file outside its folder is not followed */
  g_free (put_file (root, "outside.elf", NULL));
  g_free (put_file (root, "escape/build/project_description.json",
                    "{ \"app_elf\": \"../../outside.elf\" }"));
  assert_finds (p = g_build_filename (root, "escape", NULL), root, NULL);
  g_free (p);

  rm_rf (root);
}

static void
test_find_platformio (void)
{
  g_autofree char *root = make_tmp_dir ();
  char *p = NULL;
  g_autofree char *newer = NULL;
  struct timeval times[2] = { { 2000000000, 0 }, { 2000000000, 0 } };

  g_free (put_file (root, "pio/platformio.ini", "[env:esp32dev]\nplatform = espressif32\n"));
  g_free (put_file (root, "pio/src/main.cpp", "void setup() {}\nvoid loop() {}\n"));
  g_free (put_file (root, "pio/.pio/build/esp32dev/firmware.bin", "\xE9"));
  g_free (put_file (root, "pio/.pio/build/esp32dev/firmware.elf", NULL));
  g_free (put_file (root, "pio/.pio/build/esp32dev/bootloader.bin", "\xE9"));
  g_free (put_file (root, "pio/.pio/build/esp32dev/partitions.bin", "\xAA\x50"));

  assert_finds (p = g_build_filename (root, "pio", NULL), root,
                "pio/.pio/build/esp32dev/firmware.elf");
  g_free (p);
  assert_finds (p = g_build_filename (root, "pio/.pio/build/esp32dev/firmware.bin", NULL), root,
                "pio/.pio/build/esp32dev/firmware.elf");
  g_free (p);
  assert_finds (p = g_build_filename (root, "pio/.pio/build/esp32dev", NULL), root,
                "pio/.pio/build/esp32dev/firmware.elf");
  g_free (p);

  /* two environments: the one built last */
  g_free (put_file (root, "pio/.pio/build/c3/firmware.bin", "\xE9"));
  newer = put_file (root, "pio/.pio/build/c3/firmware.elf", NULL);
  g_assert_cmpint (utimes (newer, times), ==, 0);
  assert_finds (p = g_build_filename (root, "pio", NULL), root, "pio/.pio/build/c3/firmware.elf");
  g_free (p);

  rm_rf (root);
}

static void
test_find_arduino (void)
{
  g_autofree char *root = make_tmp_dir ();
  char *p = NULL;

  /* Arduino IDE 2's "Export compiled binary": build/FQBN/ in the sketch */
  g_free (put_file (root, "Blink/Blink.ino", "void setup() {}\nvoid loop() {}\n"));
  g_free (put_file (root, "Blink/build/esp32.esp32.esp32c3/Blink.ino.bin", "\xE9"));
  g_free (put_file (root, "Blink/build/esp32.esp32.esp32c3/Blink.ino.bootloader.bin", "\xE9"));
  g_free (put_file (root, "Blink/build/esp32.esp32.esp32c3/Blink.ino.partitions.bin", "\xAA"));
  g_free (put_file (root, "Blink/build/esp32.esp32.esp32c3/Blink.ino.merged.bin", "\xE9"));
  g_free (put_file (root, "Blink/build/esp32.esp32.esp32c3/Blink.ino.elf", NULL));
  g_free (put_file (root, "Blink/build/esp32.esp32.esp32c3/Blink.ino.map", "map\n"));

  assert_finds (p = g_build_filename (root, "Blink", NULL), root,
                "Blink/build/esp32.esp32.esp32c3/Blink.ino.elf");
  g_free (p);
  assert_finds (p = g_build_filename (root, "Blink/build/esp32.esp32.esp32c3", NULL), root,
                "Blink/build/esp32.esp32.esp32c3/Blink.ino.elf");
  g_free (p);
  assert_finds (p = g_build_filename (root, "Blink/build/esp32.esp32.esp32c3/Blink.ino.merged.bin",
                                      NULL), root, "Blink/build/esp32.esp32.esp32c3/Blink.ino.elf");
  g_free (p);

  /* arduino-cli's --output-dir: only the merged image beside the ELF */
  g_free (put_file (root, "out/Sensor.ino.merged.bin", "\xE9"));
  g_free (put_file (root, "out/Sensor.ino.elf", NULL));
  assert_finds (p = g_build_filename (root, "out/Sensor.ino.merged.bin", NULL), root,
                "out/Sensor.ino.elf");
  g_free (p);
  assert_finds (p = g_build_filename (root, "out", NULL), root, "out/Sensor.ino.elf");
  g_free (p);

  rm_rf (root);
}

static void
test_find_plain_and_none (void)
{
  g_autofree char *root = make_tmp_dir ();
  char *p = NULL;

  g_free (put_file (root, "plain/app.bin", "\xE9"));
  g_free (put_file (root, "plain/app.elf", NULL));
  assert_finds (p = g_build_filename (root, "plain/app.bin", NULL), root, "plain/app.elf");
  g_free (p);
  assert_finds (p = g_build_filename (root, "plain", NULL), root, "plain/app.elf");
  g_free (p);

  /* a lone image, an empty folder, nothing at all: no ELF */
  g_free (put_file (root, "lone/app.bin", "\xE9"));
  assert_finds (p = g_build_filename (root, "lone", NULL), root, NULL);
  g_free (p);
  assert_finds (p = g_build_filename (root, "lone/app.bin", NULL), root, NULL);
  g_free (p);
  g_assert_cmpint (g_mkdir (p = g_build_filename (root, "empty", NULL), 0755), ==, 0);
  assert_finds (p, root, NULL);
  g_free (p);
  assert_finds (p = g_build_filename (root, "no-such-thing", NULL), root, NULL);
  g_free (p);
  /* two unrelated ELFs and no image: which one is meant is not known */
  g_free (put_file (root, "two/a.elf", NULL));
  g_free (put_file (root, "two/b.elf", NULL));
  assert_finds (p = g_build_filename (root, "two", NULL), root, NULL);
  g_free (p);

  /* what is found loads */
  {
    g_autofree char *found = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(EsplashElfSymbols) elf = NULL;

    found = esplash_elf_find_for_build (p = g_build_filename (root, "plain", NULL));
    g_free (p);
    elf = esplash_elf_symbols_new (found, &error);
    g_assert_no_error (error);
  }

  rm_rf (root);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/esplash/crash/symbols/functions", test_symbols_functions);
  g_test_add_func ("/esplash/crash/symbols/fault-line", test_symbols_fault_line);
  g_test_add_func ("/esplash/crash/symbols/outside", test_symbols_outside);
  g_test_add_func ("/esplash/crash/symbols/sha256", test_symbols_sha256);
  g_test_add_func ("/esplash/crash/symbols/errors", test_symbols_errors);
  g_test_add_func ("/esplash/crash/symbols/stripped", test_symbols_stripped);
  g_test_add_func ("/esplash/crash/symbols/inline", test_symbols_inline);
  g_test_add_func ("/esplash/crash/find/esp-idf", test_find_esp_idf);
  g_test_add_func ("/esplash/crash/find/platformio", test_find_platformio);
  g_test_add_func ("/esplash/crash/find/arduino", test_find_arduino);
  g_test_add_func ("/esplash/crash/find/plain-and-none", test_find_plain_and_none);

  return g_test_run ();
}
