/* test-diagnosis-host.c: the diagnosis engine on host-side causes — a
 * port held open by another process (found through /proc), a port opened
 * by an unprivileged user (setpriv), a missing port — plus the boot
 * messages quoted in troubleshooting.md §3 / protocol.md §7.3, the pure
 * rules and the guided-flow step check.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
/* posix_openpt() and friends */
#define _XOPEN_SOURCE 600
#define _DEFAULT_SOURCE 1

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "esplash.h"
#include "test-diagnosis-rig.h"

/* ------------------------------------------------------------------ */
/* Boot messages (samples quoted in troubleshooting.md §3, protocol.md §7.3) */

static EsplashBootKind
parse_kind (const char          *text,
            EsplashBootMessage  *msg)
{
  g_assert_true (esplash_boot_message_parse ((const guint8 *) text, strlen (text), msg));
  return msg->kind;
}

static gboolean
strv_has (GStrv       lines,
          const char *needle)
{
  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], needle) != NULL)
      return TRUE;
  return FALSE;
}

static void
test_boot_messages (void)
{
  EsplashBootMessage m;
  g_auto(GStrv) esp32 = NULL;
  g_auto(GStrv) c3 = NULL;
  g_auto(GStrv) c3_bad = NULL;
  g_auto(GStrv) s3 = NULL;
  g_auto(GStrv) mtdi = NULL;
  g_auto(GStrv) e8266 = NULL;

  /* ESP32 normal boot, 0x13: GPIO0 (0x10) high, GPIO2 (0x08) low. */
  g_assert_cmpint (parse_kind ("ets Jun  8 2016 00:22:57\r\n\r\n"
                               "rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\n", &m),
                   ==, ESPLASH_BOOT_KIND_FLASH);
  g_assert_cmpint (m.chip, ==, ESPLASH_CHIP_ESP32);
  g_assert_cmpint (m.value, ==, 0x13);
  g_assert_cmpstr (m.line, ==, "rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)");
  esp32 = esplash_boot_strap_explain (ESPLASH_CHIP_UNKNOWN, &m);
  g_assert_true (strv_has (esp32, "GPIO0 (BOOT) was high"));
  g_assert_false (strv_has (esp32, "GPIO2"));
  g_assert_false (strv_has (esp32, "MTDI"));
  esplash_boot_message_clear (&m);

  g_assert_cmpint (parse_kind ("rst:0x1 (POWERON_RESET),boot:0x3 "
                               "(DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_REO_V2))\r\n"
                               "waiting for download\r\n", &m), ==, ESPLASH_BOOT_KIND_DOWNLOAD);
  g_assert_cmpstr (m.mode_name, ==, "DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_REO_V2)");
  esplash_boot_message_clear (&m);

  /* ESP32 0x33: MTDI (0x20) high selects the 1.8 V flash supply. */
  parse_kind ("rst:0x1 (POWERON_RESET),boot:0x33 (SPI_FAST_FLASH_BOOT)", &m);
  mtdi = esplash_boot_strap_explain (ESPLASH_CHIP_ESP32, &m);
  g_assert_true (strv_has (mtdi, "1.8 V"));
  esplash_boot_message_clear (&m);

  /* ESP32-S3 download, 0x22: bit 0x08 (GPIO0) clear; family from the banner. */
  g_assert_cmpint (parse_kind ("ESP-ROM:esp32s3-20210327\r\nBuild:Mar 27 2021\r\n"
                               "rst:0x1 (POWERON),boot:0x22 (DOWNLOAD(USB/UART0))\r\n"
                               "waiting for download\r\n", &m), ==, ESPLASH_BOOT_KIND_DOWNLOAD);
  g_assert_cmpint (m.chip, ==, ESPLASH_CHIP_ESP32S3);
  s3 = esplash_boot_strap_explain (ESPLASH_CHIP_UNKNOWN, &m);
  g_assert_true (strv_has (s3, "GPIO0 (BOOT) was low"));
  esplash_boot_message_clear (&m);

  /* ESP32-C3 normal boot 0x8: GPIO9 high, GPIO8 low (only 0x08 set) — and
   * GPIO8 must be high for download. */
  g_assert_cmpint (parse_kind ("ESP-ROM:esp32c3-api1-20210207\r\nBuild:Feb  7 2021\r\n"
                               "rst:0x1 (POWERON),boot:0x8 (SPI_FAST_FLASH_BOOT)\r\n"
                               "SPIWP:0xee\r\nmode:DIO, clock div:2\r\n", &m),
                   ==, ESPLASH_BOOT_KIND_FLASH);
  g_assert_cmpint (m.chip, ==, ESPLASH_CHIP_ESP32C3);
  c3 = esplash_boot_strap_explain (ESPLASH_CHIP_UNKNOWN, &m);
  g_assert_true (strv_has (c3, "GPIO9 (BOOT) was high"));
  g_assert_true (strv_has (c3, "GPIO8 was low"));
  esplash_boot_message_clear (&m);

  /* C3 0x1 SPI_DOWNLOAD_BOOT: both straps low, an invalid combination (S9). */
  g_assert_cmpint (parse_kind ("rst:0x1 (POWERON),boot:0x1 (SPI_DOWNLOAD_BOOT)\r\n"
                               "wait spi download\r\n", &m), ==, ESPLASH_BOOT_KIND_OTHER);
  c3_bad = esplash_boot_strap_explain (ESPLASH_CHIP_ESP32C3, &m);
  g_assert_true (strv_has (c3_bad, "GPIO9 (BOOT) was low"));
  g_assert_true (strv_has (c3_bad, "GPIO8 was low: download mode needs it high"));
  esplash_boot_message_clear (&m);

  /* ESP8266 at 74880: (3,6) flash, (1,7) download; the last message wins. */
  g_assert_cmpint (parse_kind (" ets Jan  8 2013,rst cause:2, boot mode:(1,7)\r\n\r\n"
                               " ets Jan  8 2013,rst cause:2, boot mode:(3,6)\r\n", &m),
                   ==, ESPLASH_BOOT_KIND_FLASH);
  g_assert_cmpint (m.chip, ==, ESPLASH_CHIP_ESP8266);
  g_assert_true (m.esp8266_format);
  e8266 = esplash_boot_strap_explain (ESPLASH_CHIP_UNKNOWN, &m);
  g_assert_true (strv_has (e8266, "GPIO0 was high"));
  esplash_boot_message_clear (&m);
  g_assert_cmpint (parse_kind ("ets Jan  8 2013,rst cause:1, boot mode:(1,7)", &m),
                   ==, ESPLASH_BOOT_KIND_DOWNLOAD);
  esplash_boot_message_clear (&m);

  g_assert_false (esplash_boot_message_parse ((const guint8 *) "hello\r\n", 7, &m));
  esplash_boot_message_clear (&m);

  /* Garbled lines with too many digits saturate, never wrap below 0 (fuzz-bootlog). */
  parse_kind ("rst:0x1 (POWERON_RESET),boot:0x80000013 (SPI_FAST_FLASH_BOOT)", &m);
  g_assert_cmpint (m.value, ==, G_MAXINT);
  esplash_boot_message_clear (&m);
  parse_kind ("rst cause:2, boot mode:(4294967299,6)", &m);
  g_assert_cmpint (m.value, ==, G_MAXINT);
  esplash_boot_message_clear (&m);
  /* Bytes in the mode name are quoted: it ends up in UTF-8 text. */
  parse_kind ("rst:0x1 (POWERON),boot:0x1 (SPI_DOWNLOAD_BOOT(\xff\x01))", &m);
  g_assert_cmpstr (m.mode_name, ==, "SPI_DOWNLOAD_BOOT(\\xff\\x01)");
  esplash_boot_message_clear (&m);
}

static void
test_printable_ratio (void)
{
  const guint8 noise[] = { 0x00, 0x8F, 0xFE, 0x13, 'a', 0x99, 0x80, 'b' };

  g_assert_cmpfloat (esplash_printable_ratio ((const guint8 *) "ets Jun\r\n", 9), ==, 1.0);
  g_assert_cmpfloat (esplash_printable_ratio (noise, sizeof noise), ==, 0.25);
  g_assert_cmpfloat (esplash_printable_ratio (NULL, 0), ==, 1.0);
}

/* ------------------------------------------------------------------ */
/* Ports held by other processes                                       */

/* A child that opens @path (and locks it if asked), then becomes sleep. */
static GPid
spawn_holder (const char *path,
              gboolean    lock)
{
  g_autofree char *sleep_path = g_find_program_in_path ("sleep");
  pid_t pid;

  g_assert_nonnull (sleep_path);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      int fd = open (path, O_RDWR | O_NOCTTY | O_NONBLOCK);

      if (fd < 0 || (lock && flock (fd, LOCK_EX | LOCK_NB) != 0))
        _exit (127);
      execl (sleep_path, "sleep", "30", (char *) NULL);
      _exit (127);
    }
  return pid;
}

static void
reap (GPid pid)
{
  kill (pid, SIGKILL);
  waitpid (pid, NULL, 0);
}

/* Waits until the child has exec'd sleep with the file open. */
static GPtrArray *
wait_for_holder (const char *path,
                 GPid        pid)
{
  for (guint i = 0; i < 200; i++)
    {
      g_autoptr(GPtrArray) holders = esplash_port_find_holders (path);

      for (guint j = 0; j < holders->len; j++)
        {
          EsplashPortHolder *h = g_ptr_array_index (holders, j);

          /* comm changes a moment before the new arguments are in place. */
          if (h->pid == pid && g_strcmp0 (h->name, "sleep") == 0 && h->cmdline != NULL)
            return g_steal_pointer (&holders);
        }
      g_usleep (10 * 1000);
    }
  g_assert_not_reached ();
}

static void
check_busy_diagnosis (const char *path,
                      GPid        pid,
                      GError     *error)
{
  g_autoptr(EsplashAttempt) a = esplash_attempt_new (path);
  g_autoptr(EsplashDiagnosis) d = NULL;
  g_autofree char *kill_cmd = g_strdup_printf ("kill %d", pid);
  g_autofree char *held = g_strdup_printf ("sleep (pid %d) has %s open", pid, path);

  a->stage = ESPLASH_STAGE_OPENING;
  esplash_attempt_set_error (a, error);
  esplash_attempt_probe_host (a);
  d = esplash_diagnose (a, ESPLASH_CHIP_UNKNOWN);
  print_diagnosis (d);
  g_assert_cmpstr (d->id, ==, ESPLASH_DIAGNOSIS_PORT_BUSY);
  g_assert_true (evidence_has (d, held));
  g_assert_true (steps_have (d, kill_cmd));
  g_assert_cmpint (((EsplashDiagnosisStep *) g_ptr_array_index (d->steps, d->steps->len - 1))->check,
                   ==, ESPLASH_STEP_CHECK_PORT_OPENS);
}

static void
test_port_busy_file_and_pty (void)
{
  g_autofree char *dir = g_dir_make_tmp ("esplash-diag-XXXXXX", NULL);
  g_autofree char *file = g_build_filename (dir, "ttyFAKE0", NULL);
  g_autofree char *link = g_build_filename (dir, "by-id-link", NULL);
  g_autoptr(GPtrArray) holders = NULL;
  g_autoptr(GPtrArray) via_link = NULL;
  g_autoptr(GPtrArray) pty_holders = NULL;
  g_autoptr(GError) error = NULL;
  int master;
  const char *pts;
  GPid pid, pty_pid;

  g_assert_true (g_file_set_contents (file, "", 0, NULL));
  g_assert_cmpint (symlink (file, link), ==, 0);
  pid = spawn_holder (file, FALSE);
  holders = wait_for_holder (file, pid);
  g_assert_cmpuint (holders->len, ==, 1);
  /* The udev-style symlink names the same file. */
  via_link = esplash_port_find_holders (link);
  g_assert_cmpuint (via_link->len, ==, 1);
  g_assert_cmpint (((EsplashPortHolder *) g_ptr_array_index (via_link, 0))->pid, ==, pid);
  g_assert_nonnull (strstr (((EsplashPortHolder *) g_ptr_array_index (via_link, 0))->cmdline,
                            "sleep 30"));

  /* libserialport refuses files: the error is the one the serial
   * transport raises for a held port. */
  g_set_error (&error, ESPLASH_ERROR, ESPLASH_ERROR_BUSY,
               "Cannot open %s: another program holds the port", file);
  check_busy_diagnosis (file, pid, error);
  reap (pid);
  g_clear_pointer (&holders, g_ptr_array_unref);
  holders = esplash_port_find_holders (file);
  g_assert_cmpuint (holders->len, ==, 0);

  /* A pseudo-terminal, as a serial monitor would hold it. */
  master = posix_openpt (O_RDWR | O_NOCTTY);
  g_assert_cmpint (master, >=, 0);
  g_assert_cmpint (grantpt (master), ==, 0);
  g_assert_cmpint (unlockpt (master), ==, 0);
  pts = ptsname (master);
  g_assert_nonnull (pts);
  pty_pid = spawn_holder (pts, FALSE);
  pty_holders = wait_for_holder (pts, pty_pid);
  g_assert_cmpuint (pty_holders->len, ==, 1);
  g_clear_error (&error);
  g_set_error (&error, ESPLASH_ERROR, ESPLASH_ERROR_BUSY,
               "Cannot open %s: another program holds the port", pts);
  check_busy_diagnosis (pts, pty_pid, error);
  reap (pty_pid);
  close (master);

  g_unlink (link);
  g_unlink (file);
  g_rmdir (dir);
}

/* The real chain on a real serial node: another process holds the lock. */
static void
test_port_busy_serial (void)
{
  const char *node = "/dev/ttyS0";
  g_autoptr(GError) error = NULL;
  g_autoptr(EsplashTransport) probe = NULL;
  g_autoptr(EsplashTransport) transport = NULL;
  g_autoptr(GPtrArray) holders = NULL;
  GPid pid;

  probe = esplash_transport_open (node, &error);
  if (probe == NULL)
    {
      g_autofree char *msg = g_strdup_printf ("%s cannot be opened here: %s", node, error->message);

      g_test_skip (msg);
      return;
    }
  esplash_transport_close (probe);

  pid = spawn_holder (node, TRUE);
  holders = wait_for_holder (node, pid);
  transport = esplash_transport_open (node, &error);
  g_assert_null (transport);
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_BUSY);
  check_busy_diagnosis (node, pid, error);
  reap (pid);
}

/* ------------------------------------------------------------------ */
/* Permission denied, as an unprivileged user                          */

/* Runs in the child started through setpriv: open @path the way Esplash
 * does, diagnose the failure there (group membership is this process's),
 * print "errno=N" and the diagnosis as JSON. */
static int
open_helper (const char *path)
{
  g_autoptr(EsplashAttempt) a = esplash_attempt_new (path);
  g_autoptr(EsplashDiagnosis) d = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *json = NULL;

  a->stage = ESPLASH_STAGE_OPENING;
  if (g_str_has_prefix (path, "/dev/"))
    {
      g_autoptr(EsplashTransport) t = esplash_transport_open (path, &error);

      if (t != NULL)
        {
          g_print ("opened\n");
          return 0;
        }
    }
  else
    {
      int fd = open (path, O_RDWR | O_NOCTTY | O_NONBLOCK);

      if (fd >= 0)
        {
          close (fd);
          g_print ("opened\n");
          return 0;
        }
      a->os_errno = errno;
      g_set_error (&error, ESPLASH_ERROR, ESPLASH_ERROR_PERMISSION_DENIED,
                   "Cannot open %s: %s", path, g_strerror (a->os_errno));
    }
  esplash_attempt_set_error (a, error);
  esplash_attempt_probe_host (a);
  d = esplash_diagnose (a, ESPLASH_CHIP_UNKNOWN);
  if (d == NULL)
    return 1;
  node = esplash_diagnosis_to_json (d);
  json_generator_set_root (gen, node);
  json = json_generator_to_data (gen, NULL);
  g_print ("errno=%d\n%s\n", a->os_errno, json);
  return 0;
}

static JsonObject *
run_unprivileged (const char *path,
                  int        *child_errno,
                  JsonParser *parser)
{
  g_autofree char *setpriv = g_find_program_in_path ("setpriv");
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { setpriv, "--reuid=65534", "--regid=65534", "--clear-groups",
                         self, "--open-helper", path, NULL };
  const char *json;
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_no_error (error);
  g_test_message ("helper: %s%s", out, err);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_true (g_str_has_prefix (out, "errno="));
  *child_errno = (int) g_ascii_strtoll (out + 6, NULL, 10);
  json = strchr (out, '\n');
  g_assert_nonnull (json);
  g_assert_true (json_parser_load_from_data (parser, json + 1, -1, &error));
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (parser));
}

static gboolean
json_steps_have (JsonObject *o,
                 const char *member,
                 const char *needle)
{
  JsonArray *steps = json_object_get_array_member (o, "steps");

  for (guint i = 0; i < json_array_get_length (steps); i++)
    {
      JsonObject *s = json_array_get_object_element (steps, i);

      if (json_object_has_member (s, member) &&
          strstr (json_object_get_string_member (s, member), needle) != NULL)
        return TRUE;
    }
  return FALSE;
}

static void
test_permission_denied (void)
{
  g_autofree char *setpriv = g_find_program_in_path ("setpriv");
  g_autofree char *dir = NULL;
  g_autofree char *file = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  struct group *dialout = getgrnam ("dialout");
  JsonObject *o;
  int child_errno = 0;

  if (setpriv == NULL)
    {
      g_test_skip ("setpriv (util-linux) is not installed: cannot open as another user");
      return;
    }
  if (getuid () != 0 || dialout == NULL)
    {
      g_test_skip ("needs root (to switch users) and a “dialout” group");
      return;
    }

  /* A node of group dialout, mode 0660, like /dev/ttyUSB0 on Debian. */
  dir = g_dir_make_tmp ("esplash-perm-XXXXXX", NULL);
  g_assert_cmpint (g_chmod (dir, 0755), ==, 0);
  file = g_build_filename (dir, "ttyUSB9", NULL);
  g_assert_true (g_file_set_contents (file, "", 0, NULL));
  g_assert_cmpint (chown (file, 0, dialout->gr_gid), ==, 0);
  g_assert_cmpint (g_chmod (file, 0660), ==, 0);

  o = run_unprivileged (file, &child_errno, parser);
  g_assert_cmpint (child_errno, ==, EACCES);
  g_assert_cmpstr (json_object_get_string_member (o, "id"), ==, ESPLASH_DIAGNOSIS_PERMISSION_DENIED);
  g_assert_true (json_steps_have (o, "command", "sudo usermod -aG dialout $USER"));
  g_assert_true (json_steps_have (o, "text", "Log out and in"));
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (json_object_get_array_member (o, "steps"), 1),
                     "check"), ==, "port-opens");

  g_unlink (file);
  g_rmdir (dir);
}

/* The whole chain on a real root-only serial node (mode 0600). */
static void
test_permission_denied_serial (void)
{
  g_autofree char *setpriv = g_find_program_in_path ("setpriv");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(EsplashTransport) probe = NULL;
  g_autoptr(GError) error = NULL;
  const char *node = "/dev/ttyS0";
  GStatBuf st;
  JsonObject *o;
  int child_errno = 0;

  if (setpriv == NULL || getuid () != 0 || g_stat (node, &st) != 0 || (st.st_mode & 0006) != 0)
    {
      g_test_skip ("needs setpriv, root and a serial node that others may not open");
      return;
    }
  probe = esplash_transport_open (node, &error);
  if (probe == NULL)
    {
      g_test_skip ("libserialport does not accept /dev/ttyS0 here");
      return;
    }
  esplash_transport_close (probe);

  o = run_unprivileged (node, &child_errno, parser);
  g_assert_cmpint (child_errno, ==, EACCES);
  g_assert_cmpstr (json_object_get_string_member (o, "id"), ==, ESPLASH_DIAGNOSIS_PERMISSION_DENIED);
  if (st.st_gid == 0 || (st.st_mode & 0060) != 0060)
    g_assert_true (json_steps_have (o, "command", "sudo chgrp dialout /dev/ttyS0"));
  g_assert_true (json_steps_have (o, "command", "sudo usermod -aG dialout $USER"));
}

/* ------------------------------------------------------------------ */
/* No port; pure rules on hand-made observations                       */

static void
test_no_port (void)
{
  const char *path = "/dev/ttyUSB-esplash-missing";
  g_autoptr(GError) error = NULL;
  g_autoptr(EsplashTransport) t = esplash_transport_open (path, &error);
  g_autoptr(EsplashAttempt) a = esplash_attempt_new (path);
  g_autoptr(EsplashDiagnosis) d = NULL;
  g_autoptr(EsplashDiagnosis) brltty = NULL;
  g_autoptr(EsplashDiagnosis) driver = NULL;
  guint32 ch340 = 0x1A867523;

  g_assert_null (t);
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_NOT_FOUND);
  a->stage = ESPLASH_STAGE_OPENING;
  esplash_attempt_set_error (a, error);
  esplash_attempt_probe_host (a);
  g_assert_cmpint (a->os_errno, ==, ENOENT);
  d = esplash_diagnose (a, ESPLASH_CHIP_UNKNOWN);
  print_diagnosis (d);
  g_assert_cmpstr (d->id, ==, ESPLASH_DIAGNOSIS_NO_PORT);
  g_assert_true (evidence_has (d, "/dev/ttyUSB-esplash-missing does not exist"));
  g_assert_cmpint (((EsplashDiagnosisStep *) g_ptr_array_index (d->steps, 0))->check,
                   ==, ESPLASH_STEP_CHECK_PORT_PRESENT);

  /* A CH340 on the bus without a tty while brltty runs (S2), then without brltty. */
  g_clear_pointer (&a->ports, g_ptr_array_unref);
  a->ports = g_ptr_array_new_with_free_func ((GDestroyNotify) esplash_port_info_free);
  g_clear_pointer (&a->usb_ids, g_array_unref);
  a->usb_ids = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_array_append_val (a->usb_ids, ch340);
  a->os = ESPLASH_HOST_OS_LINUX;
  a->brltty_pid = 4242;
  brltty = esplash_diagnose (a, ESPLASH_CHIP_UNKNOWN);
  g_assert_cmpstr (brltty->id, ==, ESPLASH_DIAGNOSIS_NO_PORT);
  g_assert_true (steps_have (brltty, "systemctl mask brltty-udev.service"));
  g_assert_true (evidence_has (brltty, "1a86:7523"));
  a->brltty_pid = 0;
  driver = esplash_diagnose (a, ESPLASH_CHIP_UNKNOWN);
  g_assert_true (steps_have (driver, "sudo modprobe ch341"));
}

static void
test_pure_rules (void)
{
  g_autoptr(EsplashAttempt) a = esplash_attempt_new ("/dev/ttyUSB0");
  g_autoptr(EsplashAttempt) copy = NULL;
  g_autoptr(EsplashDiagnosis) none = NULL;
  g_autoptr(EsplashDiagnosis) win = NULL;
  g_autoptr(EsplashDiagnosis) listed = NULL;
  g_autoptr(EsplashDiagnosis) crash = NULL;
  g_autoptr(EsplashDiagnosis) copied = NULL;
  g_autoptr(GError) cancelled = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Cancelled");
  g_autoptr(GError) denied = g_error_new_literal (ESPLASH_ERROR, ESPLASH_ERROR_PERMISSION_DENIED,
                                                  "Cannot open /dev/ttyUSB0: permission denied");
  g_autoptr(GError) nosync = g_error_new_literal (ESPLASH_ERROR, ESPLASH_ERROR_NO_SYNC,
                                                  "Failed to connect");
  static const char panic[] = "Guru Meditation Error: Core  1 panic'ed (LoadProhibited).\r\n";

  /* Nothing failed, or the user cancelled: nothing to say. */
  none = esplash_diagnose (a, ESPLASH_CHIP_ESP32);
  g_assert_null (none);
  esplash_attempt_set_error (a, cancelled);
  g_assert_null (esplash_diagnose (a, ESPLASH_CHIP_ESP32));

  /* Windows says "Access is denied" for a port another program holds (S3). */
  esplash_attempt_set_error (a, denied);
  a->os = ESPLASH_HOST_OS_WINDOWS;
  win = esplash_diagnose (a, ESPLASH_CHIP_ESP32);
  g_assert_cmpstr (win->id, ==, ESPLASH_DIAGNOSIS_PORT_BUSY);

  /* Linux, the group already lists the user but the session predates it. */
  a->os = ESPLASH_HOST_OS_LINUX;
  a->node_probed = a->node_exists = TRUE;
  a->node_mode = 0660;
  a->node_gid = 987;
  a->node_group = g_strdup ("uucp");
  a->user_name = g_strdup ("ada");
  a->user_listed_in_group = TRUE;
  listed = esplash_diagnose (a, ESPLASH_CHIP_ESP32);
  g_assert_cmpstr (listed->id, ==, ESPLASH_DIAGNOSIS_PERMISSION_DENIED);
  g_assert_false (steps_have (listed, "usermod"));
  g_assert_true (steps_have (listed, "Log out and in"));
  g_assert_true (evidence_has (listed, "already lists ada in “uucp”"));

  /* An application panicking instead of entering the loader. */
  a->os_errno = 0;
  esplash_attempt_set_error (a, nosync);
  a->line_text = g_bytes_new_static (panic, sizeof panic - 1);
  a->rx_bytes = sizeof panic - 1;
  crash = esplash_diagnose (a, ESPLASH_CHIP_ESP32);
  g_assert_cmpstr (crash->id, ==, ESPLASH_DIAGNOSIS_APP_CRASH);
  g_assert_true (evidence_has (crash, "Guru Meditation Error: Core  1 panic'ed"));

  copy = esplash_attempt_copy (a);
  copied = esplash_diagnose (copy, ESPLASH_CHIP_ESP32);
  g_assert_cmpstr (copied->id, ==, crash->id);
}

static void
test_step_check (void)
{
  g_autoptr(EsplashAttempt) a = esplash_attempt_new ("socket://127.0.0.1:1");
  g_autoptr(GError) nosync = g_error_new_literal (ESPLASH_ERROR, ESPLASH_ERROR_NO_SYNC, "x");
  g_autoptr(EsplashDiagnosis) d = NULL;
  g_autoptr(EsplashDiagnosis) copy = NULL;
  g_autoptr(JsonNode) json = NULL;
  EsplashObservation obs = { 0 };
  EsplashDiagnosisStep port_step = { (char *) "p", NULL, ESPLASH_STEP_CHECK_PORT_PRESENT };
  EsplashDiagnosisStep none_step = { (char *) "n", NULL, ESPLASH_STEP_CHECK_NONE };
  guint n;

  esplash_attempt_set_error (a, nosync);
  a->chip = ESPLASH_CHIP_ESP32;
  d = esplash_diagnose (a, ESPLASH_CHIP_UNKNOWN);
  g_assert_cmpstr (d->id, ==, ESPLASH_DIAGNOSIS_SILENT_LINE);
  n = d->steps->len;
  g_assert_cmpuint (n, >=, 4);

  g_assert_false (esplash_diagnosis_step_check (&port_step, &obs));
  obs.port_opens = TRUE;   /* an open port is a present port */
  g_assert_true (esplash_diagnosis_step_check (&port_step, &obs));
  g_assert_false (esplash_diagnosis_step_check (&none_step, &obs));

  memset (&obs, 0, sizeof obs);
  g_assert_cmpuint (esplash_diagnosis_first_open_step (d, &obs), ==, 0);
  /* The banner means BOOT was held and EN tapped: the steps before it are done. */
  obs.banner_seen = TRUE;
  g_assert_cmpuint (esplash_diagnosis_first_open_step (d, &obs), ==, 3);
  obs.sync_reply = TRUE;
  g_assert_cmpuint (esplash_diagnosis_first_open_step (d, &obs), ==, 4);

  copy = esplash_diagnosis_copy (d);
  g_assert_cmpuint (copy->steps->len, ==, n);
  json = esplash_diagnosis_to_json (copy);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (json), "id"), ==,
                   ESPLASH_DIAGNOSIS_SILENT_LINE);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (json), "retry"), ==,
                   "no-reset");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (json), "chip"), ==,
                   "esp32");
}

int
main (int    argc,
      char **argv)
{
  if (argc == 3 && strcmp (argv[1], "--open-helper") == 0)
    return open_helper (argv[2]);

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/esplash/diagnosis/boot-message/decode", test_boot_messages);
  g_test_add_func ("/esplash/diagnosis/printable-ratio", test_printable_ratio);
  g_test_add_func ("/esplash/diagnosis/rules/pure", test_pure_rules);
  g_test_add_func ("/esplash/diagnosis/step-check", test_step_check);
  g_test_add_func ("/esplash/diagnosis/port-busy/file-and-pty", test_port_busy_file_and_pty);
  g_test_add_func ("/esplash/diagnosis/port-busy/serial", test_port_busy_serial);
  g_test_add_func ("/esplash/diagnosis/permission-denied/file", test_permission_denied);
  g_test_add_func ("/esplash/diagnosis/permission-denied/serial", test_permission_denied_serial);
  g_test_add_func ("/esplash/diagnosis/no-port", test_no_port);

  return g_test_run ();
}
