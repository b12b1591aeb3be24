/* test-flash-recover.c: a write that loses its session on the way and is
 * taken up again (esplash-device-recover.c, write_runs_resuming in
 * esplash-flash.c) — a reply lost or damaged on the line, the chip reset,
 * the port gone and back, a rate the line does not hold — and the ESP8266
 * ROM's erase-size split (esplash-flash-write.c), also when a write without
 * MD5s (that ROM) resumes from its acknowledgements. Whatever happened, the
 * flash must end up holding exactly the image and nothing around it may
 * change; a chip that stops answering for good must fail in bounded time.
 *
 * The faults land on a chosen reply: a dry run with the same options
 * records how many bytes the chip had sent once each data block was
 * answered, and the fault run's fault_every is set to the byte wanted.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esplash.h"
#include "esplash-sim.h"
#include "esplash-sim-server.h"
#include "esplash-sim-transport.h"
#include "test-device-rig.h"

#define KIB 1024u
#define SECTOR 0x1000u
#define ADDRESS 0x20000u
/* In a reply frame (C0 01 op size:2 value:4 status… C0), counted from 1 at
 * its opening C0: the opcode, the size's low byte, the first status byte. */
#define REPLY_OPCODE_BYTE 3
#define REPLY_SIZE_BYTE 4
#define REPLY_STATUS_BYTE 10

typedef enum {
  LINK_IN_PROCESS,   /* EsplashSimTransport: reset lines, cannot be reopened */
  LINK_SOCKET,       /* socket:// to an EsplashSimServer: no lines */
  LINK_RFC2217,      /* rfc2217:// to an EsplashSimServer: reset lines */
} Link;

typedef struct {
  Fixture          *f;
  EsplashSimServer *server;          /* NULL in process */
  /* Index n: what the chip had done once n data blocks were answered. */
  GArray           *tx_after;        /* guint64: bytes sent to the host */
  GArray           *commands_after;  /* guint: commands taken */
  /* Things done to the board once this many data blocks were answered
   * (0: never); each happens once. */
  guint             reset_at;        /* BOOT held, RESET tapped */
  guint             unplug_at;       /* the port vanishes; power-cycled with BOOT held */
  gboolean          acted;
} Rig;

static guint
data_blocks (EsplashSim *sim)
{
  return esplash_sim_count_commands (sim, ESPLASH_OP_FLASH_DATA) +
         esplash_sim_count_commands (sim, ESPLASH_OP_FLASH_DEFL_DATA);
}

static guint
begins (EsplashSim *sim)
{
  return esplash_sim_count_commands (sim, ESPLASH_OP_FLASH_BEGIN) +
         esplash_sim_count_commands (sim, ESPLASH_OP_FLASH_DEFL_BEGIN);
}

/* Every command the chip took (each is a "command …" event). */
static guint
commands_taken (EsplashSim *sim)
{
  g_auto(GStrv) events = esplash_sim_dup_events (sim);
  guint n = 0;

  for (guint i = 0; events[i] != NULL; i++)
    if (g_str_has_prefix (events[i], "command "))
      n++;
  return n;
}

static void
rig_event_cb (const EsplashEvent *event,
              gpointer            user_data)
{
  Rig *r = user_data;
  EsplashSim *sim = r->f->sim;
  EsplashSimStats stats;
  guint n, taken;

  fixture_event_cb (event, r->f);
  if (event->kind == ESPLASH_EVENT_LOG && g_test_verbose ())
    g_test_message ("%s", event->message);
  if (event->kind != ESPLASH_EVENT_PROGRESS || event->stage != ESPLASH_STAGE_WRITING)
    return;
  /* The progress after a data block comes right after its reply, before
   * the next block is sent: nothing else is on the line in between. */
  n = data_blocks (sim);
  if (n == 0)
    return;
  if (r->tx_after->len == n)
    {
      esplash_sim_get_stats (sim, &stats);
      taken = commands_taken (sim);
      g_array_append_val (r->tx_after, stats.chip_to_host);
      g_array_append_val (r->commands_after, taken);
    }
  if (r->acted)
    return;
  if (r->reset_at != 0 && n == r->reset_at)
    {
      /* Someone presses RESET with BOOT held: what ran is gone, a fresh
       * ROM loader answers. Called on the thread that drives the device
       * (no simulator lock is held here; it takes its own). */
      r->acted = TRUE;
      esplash_sim_set_boot_held (sim, TRUE);
      esplash_sim_press_reset (sim);
    }
  else if (r->unplug_at != 0 && n == r->unplug_at)
    {
      /* The USB device drops off the bus and comes back: the server closes
       * the connection when it sees the port gone (within its 20 ms poll),
       * then the board powers up again in its ROM loader. */
      r->acted = TRUE;
      esplash_sim_unplug (sim);
      g_usleep (300 * G_TIME_SPAN_MILLISECOND);
      esplash_sim_set_boot_held (sim, TRUE);
      esplash_sim_power_cycle (sim);
    }
}

static Rig *
rig_new (const EsplashSimOptions *options,
         Link                     link)
{
  Rig *r = g_new0 (Rig, 1);
  Fixture *f = g_new0 (Fixture, 1);
  guint64 zero = 0;
  guint none = 0;

  r->f = f;
  f->sim = esplash_sim_new (options);
  f->logs = g_ptr_array_new_with_free_func (g_free);
  if (link == LINK_IN_PROCESS)
    {
      f->transport = esplash_sim_transport_new (f->sim);
    }
  else
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *url = NULL;

      r->server = esplash_sim_server_new (f->sim, link == LINK_RFC2217, 0, &error);
      g_assert_no_error (error);
      url = g_strdup_printf ("%s://127.0.0.1:%u", link == LINK_RFC2217 ? "rfc2217" : "socket",
                             esplash_sim_server_get_port (r->server));
      f->transport = esplash_transport_open (url, &error);
      g_assert_no_error (error);
      g_assert_cmpint (esplash_transport_has_lines (f->transport), ==, link == LINK_RFC2217);
    }
  f->device = esplash_device_new (f->transport);
  esplash_device_set_event_func (f->device, rig_event_cb, r, NULL);
  r->tx_after = g_array_new (FALSE, FALSE, sizeof (guint64));
  r->commands_after = g_array_new (FALSE, FALSE, sizeof (guint));
  g_array_append_val (r->tx_after, zero);
  g_array_append_val (r->commands_after, none);
  return r;
}

static void
rig_free (Rig *r)
{
  /* The device first: the server's client goes away, then the server. */
  esplash_device_close (r->f->device);
  if (r->server != NULL)
    {
      esplash_sim_server_stop (r->server);
      g_object_unref (r->server);
    }
  fixture_free (r->f);
  g_array_unref (r->tx_after);
  g_array_unref (r->commands_after);
  g_free (r);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Rig, rig_free)

static void
rig_connect (Rig     *r,
             gboolean stub,
             guint    baud)
{
  EsplashConnectOptions co;
  g_autoptr(GError) error = NULL;

  connect_options (&co, stub);
  co.baud = baud;
  g_assert_true (esplash_device_connect (r->f->device, &co, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (esplash_device_is_stub (r->f->device), ==, stub);
}

/* Firmware-like bytes: compressible, but different everywhere. */
static GBytes *
firmware (gsize len,
          guint seed)
{
  guint8 *p = g_malloc (len);
  guint32 x = 0x12345u + seed;

  for (gsize i = 0; i < len; i++)
    {
      x = x * 1103515245u + 12345u;
      p[i] = (guint8) (i % 7 == 0 ? (x >> 16) : i / 64);
    }
  return g_bytes_new_take (p, len);
}

/* Bytes that do not compress: a compressed write of them takes as many
 * blocks as a plain one. */
static GBytes *
noise (gsize len,
       guint seed)
{
  guint8 *p = g_malloc (len);
  guint32 x = 0x9E3779B9u ^ seed;

  for (gsize i = 0; i < len; i++)
    {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      p[i] = (guint8) (x >> 11);
    }
  return g_bytes_new_take (p, len);
}

/* A sector of something that is neither the image nor erased flash. */
static GBytes *
neighbour (guint8 fill)
{
  guint8 *p = g_malloc (SECTOR);

  for (guint i = 0; i < SECTOR; i++)
    p[i] = (guint8) (fill ^ (i * 31));
  return g_bytes_new_take (p, SECTOR);
}

static void
fill_neighbours (EsplashSim *sim,
                 guint32     address,
                 gsize       len)
{
  g_autoptr(GBytes) before = neighbour (0xA5);
  g_autoptr(GBytes) after = neighbour (0x3C);

  esplash_sim_load_flash (sim, address - SECTOR, before);
  esplash_sim_load_flash (sim, address + (guint32) len, after);
}

static void
assert_flash_is (EsplashSim *sim,
                 guint32     address,
                 GBytes     *expected,
                 const char *what)
{
  gsize len = g_bytes_get_size (expected);
  g_autoptr(GBytes) flash = esplash_sim_dup_flash (sim, address, (guint32) len);
  const guint8 *got = g_bytes_get_data (flash, NULL);
  const guint8 *want = g_bytes_get_data (expected, NULL);

  g_assert_cmpuint (g_bytes_get_size (flash), ==, len);
  for (gsize i = 0; i < len; i++)
    if (got[i] != want[i])
      g_error ("%s: the flash at 0x%" G_GSIZE_MODIFIER "X holds 0x%02X, not 0x%02X",
               what, address + i, got[i], want[i]);
}

/* The image is there, and the sectors before and after it are as
 * fill_neighbours() left them. */
static void
assert_flash_exact (EsplashSim *sim,
                    guint32     address,
                    GBytes     *image)
{
  g_autoptr(GBytes) before = neighbour (0xA5);
  g_autoptr(GBytes) after = neighbour (0x3C);

  assert_flash_is (sim, address, image, "the image");
  assert_flash_is (sim, address - SECTOR, before, "the sector before the image");
  assert_flash_is (sim, address + (guint32) g_bytes_get_size (image), after,
                   "the sector after the image");
}

static gboolean
rig_write (Rig             *r,
           guint32          address,
           GBytes          *image,
           EsplashCompress  compress,
           GError         **error)
{
  g_autoptr(GPtrArray) regions = NULL;
  EsplashWriteOptions wo;

  esplash_write_options_init (&wo);
  wo.compress = compress;
  wo.flash_size = "4MB";   /* no flash-id commands on a damaged line */
  regions = g_ptr_array_new_with_free_func ((GDestroyNotify) esplash_flash_region_free);
  g_ptr_array_add (regions, esplash_flash_region_new (address, image, "app.bin"));
  return esplash_flash_write (r->f->device, regions, &wo, NULL, error);
}

/* The write succeeds (the error, if any, is shown). */
static void
write_ok (Rig             *r,
          guint32          address,
          GBytes          *image,
          EsplashCompress  compress)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = rig_write (r, address, image, compress, &error);

  g_assert_no_error (error);
  g_assert_true (ok);
}

/* The same write on a faultless chip: where each data block's reply was
 * in the chip's output, and how many commands it had taken by then. */
typedef struct {
  GArray *tx_after;
  GArray *commands_after;
  guint   blocks;
} DryRun;

static void
dry_run_clear (DryRun *d)
{
  g_clear_pointer (&d->tx_after, g_array_unref);
  g_clear_pointer (&d->commands_after, g_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (DryRun, dry_run_clear)

static void
dry_run (const EsplashSimOptions *options,
         Link                     link,
         gboolean                 stub,
         GBytes                  *image,
         EsplashCompress          compress,
         DryRun                  *out)
{
  EsplashSimOptions so = *options;
  g_autoptr(Rig) r = NULL;

  so.faults = ESPLASH_SIM_FAULT_NONE;
  r = rig_new (&so, link);
  fill_neighbours (r->f->sim, ADDRESS, g_bytes_get_size (image));
  rig_connect (r, stub, 0);
  write_ok (r, ADDRESS, image, compress);
  g_assert_false (logs_contain (r->f, "Resuming"));
  out->tx_after = g_array_ref (r->tx_after);
  out->commands_after = g_array_ref (r->commands_after);
  out->blocks = data_blocks (r->f->sim);
}

/* fault_every that hits byte @byte (from 1) of the reply to data block
 * @block (from 0; not the first: its reply follows the BEGIN's). */
static guint
fault_on_reply (const DryRun *d,
                guint         block,
                guint         byte)
{
  g_assert_cmpuint (block, >=, 1);
  g_assert_cmpuint (block, <, d->blocks);
  return (guint) g_array_index (d->tx_after, guint64, block) + byte;
}

/* The fault hit once: the chip sent fewer than twice @fault_every bytes. */
static void
assert_one_fault (EsplashSim *sim,
                  guint       fault_every)
{
  EsplashSimStats stats;

  esplash_sim_get_stats (sim, &stats);
  g_assert_cmpuint (stats.chip_to_host, >=, fault_every);
  g_assert_cmpuint (stats.chip_to_host, <, 2 * (guint64) fault_every);
}

/* 1. Bytes lost on the way to the host, one of them in the reply to a
 * stub's data block: the block is never sent again (the stub took it);
 * the session is taken up again and the write resumes where the flash
 * stops matching. */
static void
test_dropped_reply_stub (gconstpointer data)
{
  gboolean compressed = GPOINTER_TO_INT (data);
  EsplashCompress compress = compressed ? ESPLASH_COMPRESS_ALWAYS : ESPLASH_COMPRESS_NEVER;
  gsize len = 64 * KIB;
  g_autoptr(GBytes) image = compressed ? noise (len, 1) : firmware (len, 1);
  g_auto(DryRun) d = { 0 };
  g_autoptr(Rig) r = NULL;
  EsplashSimOptions so;

  esplash_sim_options_init (&so, ESPLASH_CHIP_ESP32);
  dry_run (&so, LINK_IN_PROCESS, TRUE, image, compress, &d);
  g_assert_cmpuint (d.blocks, >=, 4);
  so.faults = ESPLASH_SIM_FAULT_DROP_BYTES;
  so.fault_every = fault_on_reply (&d, 2, REPLY_SIZE_BYTE);

  r = rig_new (&so, LINK_IN_PROCESS);
  fill_neighbours (r->f->sim, ADDRESS, len);
  rig_connect (r, TRUE, 0);
  write_ok (r, ADDRESS, image, compress);

  assert_one_fault (r->f->sim, so.fault_every);
  assert_flash_exact (r->f->sim, ADDRESS, image);
  g_assert_true (logs_contain (r->f, "taking the session up again"));
  g_assert_true (logs_contain (r->f, "The chip still answers (flasher stub): going on"));
  g_assert_true (logs_contain (r->f, "Resuming app.bin at 0x"));
  g_assert_false (logs_contain (r->f, "connecting again"));
  /* The write did not need its verification to put things right. */
  g_assert_false (logs_contain (r->f, "looking for the sectors that differ"));
  /* Nothing was sent twice: the blocks before the lost reply (and the one
   * whose reply was lost) were not sent again, only what the flash did not
   * hold yet. Plain, that is the fourth block alone; compressed, the rest
   * goes from the sector the third block ended in, in a stream of its own
   * (one block more at most). */
  if (!compressed)
    g_assert_cmpuint (data_blocks (r->f->sim), ==, d.blocks);
  else
    g_assert_cmpuint (data_blocks (r->f->sim), <=, d.blocks + 1);
  g_assert_cmpuint (begins (r->f->sim), ==, 2);
  g_assert_cmpuint (r->f->last_overall, ==, r->f->overall_total);
  g_assert_false (r->f->progress_went_back);
}

/* 2. A ROM (ESP32, no stub) whose reply to a data block arrives with a
 * byte changed: the ROM's block is sent again (it takes the same block
 * twice: written again, or not inflated again), no session is taken up
 * again. Plain: the opcode byte, so the frame is not the reply and the
 * reply never comes (a timeout). Compressed: the first status byte (00 →
 * 5A), no status the ROM sends, so a damaged reply and not the ROM's
 * error (sent again at once). */
static void
test_corrupt_reply_rom (gconstpointer data)
{
  gboolean compressed = GPOINTER_TO_INT (data);
  EsplashCompress compress = compressed ? ESPLASH_COMPRESS_ALWAYS : ESPLASH_COMPRESS_NEVER;
  gsize len = 64 * KIB;
  g_autoptr(GBytes) image = compressed ? noise (len, 2) : firmware (len, 2);
  g_auto(DryRun) d = { 0 };
  g_autoptr(Rig) r = NULL;
  EsplashSimOptions so;

  esplash_sim_options_init (&so, ESPLASH_CHIP_ESP32);
  dry_run (&so, LINK_IN_PROCESS, FALSE, image, compress, &d);
  g_assert_cmpuint (d.blocks, >=, 16);
  /* Late in the write, so that the fault comes once. */
  so.faults = ESPLASH_SIM_FAULT_CORRUPT_BYTES;
  so.fault_every = fault_on_reply (&d, d.blocks - 4,
                                   compressed ? REPLY_STATUS_BYTE : REPLY_OPCODE_BYTE);

  r = rig_new (&so, LINK_IN_PROCESS);
  fill_neighbours (r->f->sim, ADDRESS, len);
  rig_connect (r, FALSE, 0);
  write_ok (r, ADDRESS, image, compress);

  assert_one_fault (r->f->sim, so.fault_every);
  assert_flash_exact (r->f->sim, ADDRESS, image);
  if (compressed)
    g_assert_true (logs_contain (r->f, "status 5A 00 is no status the ROM loader sends"));
  else
    g_assert_true (logs_contain (r->f, "Timed out after 3.0 s waiting for the reply to "
                                       "FLASH_DATA"));
  g_assert_true (logs_contain (r->f, "sending it again (2 attempts left)"));
  g_assert_false (logs_contain (r->f, "error 0x5A"));
  g_assert_false (logs_contain (r->f, "taking the session up again"));
  g_assert_false (logs_contain (r->f, "Resuming"));
  g_assert_false (logs_contain (r->f, "looking for the sectors that differ"));
  /* One block twice, none more; one BEGIN. */
  g_assert_cmpuint (data_blocks (r->f->sim), ==, d.blocks + 1);
  g_assert_cmpuint (begins (r->f->sim), ==, 1);
}

/* 3. The first status byte of a stub's reply to a data block changed on
 * the line (00 → 5A): no status the stub sends, so a damaged reply, not
 * the chip's error. The stub's block is not sent again (it took it): the
 * session is taken up again and the write resumes, and succeeds. */
static void
test_damaged_status_stub (void)
{
  gsize len = 64 * KIB;
  g_autoptr(GBytes) image = firmware (len, 3);
  g_auto(DryRun) d = { 0 };
  g_autoptr(Rig) r = NULL;
  EsplashSimOptions so;

  esplash_sim_options_init (&so, ESPLASH_CHIP_ESP32);
  dry_run (&so, LINK_IN_PROCESS, TRUE, image, ESPLASH_COMPRESS_NEVER, &d);
  g_assert_cmpuint (d.blocks, ==, 4);
  so.faults = ESPLASH_SIM_FAULT_CORRUPT_BYTES;
  so.fault_every = fault_on_reply (&d, 2, REPLY_STATUS_BYTE);

  r = rig_new (&so, LINK_IN_PROCESS);
  fill_neighbours (r->f->sim, ADDRESS, len);
  rig_connect (r, TRUE, 0);
  write_ok (r, ADDRESS, image, ESPLASH_COMPRESS_NEVER);

  assert_one_fault (r->f->sim, so.fault_every);
  assert_flash_exact (r->f->sim, ADDRESS, image);
  g_assert_cmpuint (data_blocks (r->f->sim), ==, d.blocks);
  g_assert_false (logs_contain (r->f, "looking for the sectors that differ"));
  g_assert_true (logs_contain (r->f, "Writing block 2: Reply to FLASH_DATA: status 5A 00 is no "
                                     "status the flasher stub sends (damaged on the line)"));
  g_assert_false (logs_contain (r->f, "error 0x5A"));
  g_assert_true (logs_contain (r->f, "Resuming app.bin at 0x0002C000: 16 KiB still to write"));
}

/* 4. The chip is reset in the middle of a stub write with BOOT held: the
 * ROM loader answers instead of the stub. The session is connected again
 * (the stub uploaded anew) and the write resumes. */
static void
test_chip_reset (void)
{
  gsize len = 128 * KIB;
  g_autoptr(GBytes) image = firmware (len, 4);
  g_autoptr(Rig) r = NULL;
  EsplashSimOptions so;
  guint resets, stub_uploads;

  esplash_sim_options_init (&so, ESPLASH_CHIP_ESP32);
  r = rig_new (&so, LINK_IN_PROCESS);
  fill_neighbours (r->f->sim, ADDRESS, len);
  rig_connect (r, TRUE, 0);
  resets = esplash_sim_get_reset_count (r->f->sim);
  stub_uploads = esplash_sim_count_commands (r->f->sim, ESPLASH_OP_MEM_END);
  r->reset_at = 3;

  write_ok (r, ADDRESS, image, ESPLASH_COMPRESS_NEVER);

  g_assert_true (r->acted);
  assert_flash_exact (r->f->sim, ADDRESS, image);
  g_assert_true (logs_contain (r->f, "The chip was reset: connecting again"));
  g_assert_true (logs_contain (r->f, "Resuming app.bin at 0x"));
  g_assert_false (logs_contain (r->f, "looking for the sectors that differ"));
  g_assert_cmpuint (esplash_sim_get_reset_count (r->f->sim), >, resets);
  g_assert_cmpuint (esplash_sim_count_commands (r->f->sim, ESPLASH_OP_MEM_END), >, stub_uploads);
  g_assert_true (esplash_device_is_stub (r->f->device));
  g_assert_cmpint (esplash_sim_get_state (r->f->sim), ==, ESPLASH_SIM_STATE_STUB);
  /* Resumed, not started over: fewer blocks than two whole writes. */
  g_assert_cmpuint (data_blocks (r->f->sim), <, 2 * (len / 0x4000));
}

/* 5. The port goes away in the middle of a write (over RFC 2217: the
 * server closes the connection when its port vanishes) and comes back:
 * it is opened again, the chip connected again, the write resumed. */
static void
test_port_gone (void)
{
  gsize len = 128 * KIB;
  g_autoptr(GBytes) image = firmware (len, 5);
  g_autoptr(Rig) r = NULL;
  EsplashSimOptions so;
  EsplashTransport *before;

  esplash_sim_options_init (&so, ESPLASH_CHIP_ESP32);
  r = rig_new (&so, LINK_RFC2217);
  fill_neighbours (r->f->sim, ADDRESS, len);
  rig_connect (r, TRUE, 0);
  before = esplash_device_get_transport (r->f->device);
  r->unplug_at = 3;

  write_ok (r, ADDRESS, image, ESPLASH_COMPRESS_NEVER);

  g_assert_true (r->acted);
  assert_flash_exact (r->f->sim, ADDRESS, image);
  g_assert_true (logs_contain (r->f, "went away: waiting for it to come back"));
  g_assert_true (logs_contain (r->f, "The port is back"));
  g_assert_true (logs_contain (r->f, "The port came back: connecting again"));
  g_assert_true (logs_contain (r->f, "Resuming app.bin at 0x"));
  g_assert_false (logs_contain (r->f, "looking for the sectors that differ"));
  /* A new connection to the server, a stub running again. */
  g_assert_true (esplash_device_get_transport (r->f->device) != before);
  g_assert_true (esplash_device_is_stub (r->f->device));
}

/* 6. The ESP8266 ROM erases more than it is told when the count of sectors
 * is odd and below twice the sectors to the next 64 KiB boundary. Three
 * sectors at 0x10000 are written as two, then the last two under their own
 * BEGIN: the sector after them keeps its data. One sector alone cannot be
 * split: the write warns that the next sector goes too. */
static void
test_esp8266_rom_erase (void)
{
  g_autoptr(GBytes) three = firmware (3 * SECTOR, 6);
  g_autoptr(GBytes) one = firmware (SECTOR, 7);
  EsplashSimOptions so;

  esplash_sim_options_init (&so, ESPLASH_CHIP_ESP8266);
  {
    g_autoptr(Rig) r = rig_new (&so, LINK_IN_PROCESS);
    guint b;

    fill_neighbours (r->f->sim, 0x10000, 3 * SECTOR);
    rig_connect (r, FALSE, 0);
    b = begins (r->f->sim);
    write_ok (r, 0x10000, three, ESPLASH_COMPRESS_NEVER);
    assert_flash_exact (r->f->sim, 0x10000, three);
    /* An empty BEGIN attaches the flash (this ROM has no SPI_ATTACH), then
     * one BEGIN per part. */
    g_assert_cmpuint (begins (r->f->sim), ==, b + 1 + 2);
    g_assert_true (logs_contain (r->f, "ESP8266 ROM: 3 sectors written as 2, then the last 2"));
    g_assert_false (logs_contain (r->f, "cannot erase one sector alone"));
  }
  {
    g_autoptr(Rig) r = rig_new (&so, LINK_IN_PROCESS);
    g_autoptr(GBytes) after = NULL;
    g_autoptr(GBytes) erased = NULL;
    guint8 ff[SECTOR];

    fill_neighbours (r->f->sim, 0x10000, SECTOR);
    rig_connect (r, FALSE, 0);
    write_ok (r, 0x10000, one, ESPLASH_COMPRESS_NEVER);
    assert_flash_is (r->f->sim, 0x10000, one, "the image");
    g_assert_true (logs_contain (r->f, "The ESP8266 ROM loader cannot erase one sector alone: "
                                       "the sector at 0x00011000, after the one written at "
                                       "0x00010000, is erased too"));
    /* … and so it was, as the warning says. */
    memset (ff, 0xFF, sizeof ff);
    erased = g_bytes_new (ff, sizeof ff);
    after = esplash_sim_dup_flash (r->f->sim, 0x11000, SECTOR);
    g_assert_true (g_bytes_equal (after, erased));
  }
}

/* The ESP8266 ROM has no MD5: after its session is lost, a write resumes
 * from the sector its in-order acknowledgements reached (it writes a block
 * before it answers). Reset with BOOT held after 21 of 64 blocks: 20 KiB
 * are known written, the other 11 sectors go under a BEGIN of their own
 * (split, being an odd count below twice the sectors to 0x30000), and
 * nothing after the image is erased. */
static void
test_esp8266_rom_resume (void)
{
  gsize len = 64 * KIB;
  g_autoptr(GBytes) image = firmware (len, 10);
  g_autoptr(Rig) r = NULL;
  EsplashSimOptions so;
  guint b;

  esplash_sim_options_init (&so, ESPLASH_CHIP_ESP8266);
  r = rig_new (&so, LINK_IN_PROCESS);
  fill_neighbours (r->f->sim, ADDRESS, len);
  rig_connect (r, FALSE, 0);
  b = begins (r->f->sim);
  r->reset_at = 21;

  write_ok (r, ADDRESS, image, ESPLASH_COMPRESS_NEVER);

  g_assert_true (r->acted);
  assert_flash_exact (r->f->sim, ADDRESS, image);
  g_assert_true (logs_contain (r->f, "taking the session up again"));
  g_assert_true (logs_contain (r->f, "Resuming app.bin at 0x00025000: 44 KiB still to write"));
  g_assert_true (logs_contain (r->f, "ESP8266 ROM: 11 sectors written as 10, then the last 2"));
  /* The attach's empty BEGIN, the first write's, then the resumed part's
   * two. */
  g_assert_cmpuint (begins (r->f->sim), ==, b + 1 + 1 + 2);
}

/* The same, reset during the tail of a split write (3 sectors: 2, then the
 * last 2 again): the tail's BEGIN erased the middle sector again, so the
 * write goes on from there, not from where the first part ended (found by
 * the fault campaign, run 561 of seed 1: a sector left erased, success
 * reported), and never with one sector alone (the ROM would take the next
 * one too). */
static void
test_esp8266_rom_resume_tail (void)
{
  gsize len = 3 * 4 * KIB;
  g_autoptr(GBytes) image = firmware (len, 11);
  g_autoptr(Rig) r = NULL;
  EsplashSimOptions so;

  esplash_sim_options_init (&so, ESPLASH_CHIP_ESP8266);
  r = rig_new (&so, LINK_IN_PROCESS);
  fill_neighbours (r->f->sim, ADDRESS, len);
  rig_connect (r, FALSE, 0);
  r->reset_at = 8 + 2;   /* the first part's 8 blocks, then 2 of the tail's */

  write_ok (r, ADDRESS, image, ESPLASH_COMPRESS_NEVER);

  g_assert_true (r->acted);
  assert_flash_exact (r->f->sim, ADDRESS, image);
  g_assert_true (logs_contain (r->f, "Resuming app.bin at 0x00021000: 8 KiB still to write"));
  g_assert_false (logs_contain (r->f, "cannot erase one sector alone"));
}

/* 7. The chip stops answering for good (a stall) and nothing can reset it
 * (socket://, no lines): the write fails with TIMED_OUT in bounded time,
 * and nothing outside the image was touched. */
static void
test_stall_no_lines (void)
{
  gsize len = 64 * KIB;
  g_autoptr(GBytes) image = firmware (len, 8);
  g_auto(DryRun) d = { 0 };
  g_autoptr(Rig) r = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) before = neighbour (0xA5);
  g_autoptr(GBytes) after = neighbour (0x3C);
  EsplashSimOptions so;
  gint64 start, elapsed;

  esplash_sim_options_init (&so, ESPLASH_CHIP_ESP32);
  so.boot_mode = ESPLASH_SIM_BOOT_DOWNLOAD;   /* no lines to reset it into its loader */
  dry_run (&so, LINK_SOCKET, TRUE, image, ESPLASH_COMPRESS_NEVER, &d);
  g_assert_cmpuint (d.blocks, >=, 3);
  /* The third data block is the first command not answered. */
  so.faults = ESPLASH_SIM_FAULT_STALL;
  so.fault_after = g_array_index (d.commands_after, guint, 2);

  r = rig_new (&so, LINK_SOCKET);
  fill_neighbours (r->f->sim, ADDRESS, len);
  rig_connect (r, TRUE, 0);
  start = g_get_monotonic_time ();
  g_assert_false (rig_write (r, ADDRESS, image, ESPLASH_COMPRESS_NEVER, &error));
  elapsed = g_get_monotonic_time () - start;
  g_test_message ("failed after %.1f s: %s", elapsed / (double) G_USEC_PER_SEC,
                  error != NULL ? error->message : "");
  g_assert_error (error, ESPLASH_ERROR, ESPLASH_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (error->message, "Writing app.bin at 0x20000"));

  /* The block's timeout, one quiet drain and one SYNC probe: no more. */
  g_assert_cmpint (elapsed, <, 20 * G_USEC_PER_SEC);
  g_assert_true (logs_contain (r->f, "taking the session up again"));
  g_assert_false (logs_contain (r->f, "connecting again"));
  g_assert_cmpuint (data_blocks (r->f->sim), ==, 3);
  assert_flash_is (r->f->sim, ADDRESS - SECTOR, before, "the sector before the image");
  assert_flash_is (r->f->sim, ADDRESS + (guint32) len, after, "the sector after the image");
}

/* Where the first log message containing @needle is, from @from on; -1
 * if none does. */
static gint
log_index (Fixture    *f,
           const char *needle,
           gint        from)
{
  for (guint i = MAX (from, 0); i < f->logs->len; i++)
    if (strstr (g_ptr_array_index (f->logs, i), needle) != NULL)
      return (gint) i;
  return -1;
}

/* 8. A rate over what the line holds (the simulator's max_baud): one byte
 * in 64 arrives wrong each way. The stub is uploaded at 115200 and the
 * session goes up to 921600 over a line that holds 460800; the write's
 * replies come damaged, and after two damaged at one rate the write goes
 * down one rate and finishes there. */
static void
test_rate_too_high (void)
{
  gsize len = 64 * KIB;
  g_autoptr(GBytes) image = firmware (len, 9);
  g_autoptr(Rig) r = NULL;
  g_autoptr(GError) error = NULL;
  EsplashSimOptions so;
  gint writing;

  esplash_sim_options_init (&so, ESPLASH_CHIP_ESP32);
  so.max_baud = 460800;
  r = rig_new (&so, LINK_IN_PROCESS);
  fill_neighbours (r->f->sim, ADDRESS, len);
  rig_connect (r, TRUE, 0);
  g_assert_true (esplash_device_change_baud (r->f->device, 921600, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (esplash_sim_get_baud (r->f->sim), ==, 921600);
  writing = (gint) r->f->logs->len;

  write_ok (r, ADDRESS, image, ESPLASH_COMPRESS_AUTO);

  assert_flash_exact (r->f->sim, ADDRESS, image);
  /* The write went down, once: already while it looked at the region's
   * neighbours (their MD5s disagreed), or after a lost session. */
  writing = log_index (r->f, "Replies keep arriving damaged at 921600 baud: going down to "
                             "460800 baud", writing);
  g_assert_cmpint (writing, >=, 0);
  g_assert_cmpint (log_index (r->f, "going down to", writing + 1), ==, -1);
  g_assert_cmpuint (esplash_sim_get_baud (r->f->sim), ==, 460800);
  g_assert_cmpuint (esplash_transport_get_baud (esplash_device_get_transport (r->f->device)), ==,
                    460800);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/esplash/flash/recover/dropped-reply/stub/plain", GINT_TO_POINTER (0),
                        test_dropped_reply_stub);
  g_test_add_data_func ("/esplash/flash/recover/dropped-reply/stub/compressed", GINT_TO_POINTER (1),
                        test_dropped_reply_stub);
  g_test_add_data_func ("/esplash/flash/recover/corrupt-reply/rom/plain", GINT_TO_POINTER (0),
                        test_corrupt_reply_rom);
  g_test_add_data_func ("/esplash/flash/recover/corrupt-reply/rom/compressed", GINT_TO_POINTER (1),
                        test_corrupt_reply_rom);
  g_test_add_func ("/esplash/flash/recover/damaged-status/stub", test_damaged_status_stub);
  g_test_add_func ("/esplash/flash/recover/chip-reset", test_chip_reset);
  g_test_add_func ("/esplash/flash/recover/port-gone", test_port_gone);
  g_test_add_func ("/esplash/flash/recover/esp8266-rom-erase", test_esp8266_rom_erase);
  g_test_add_func ("/esplash/flash/recover/esp8266-rom-resume", test_esp8266_rom_resume);
  g_test_add_func ("/esplash/flash/recover/esp8266-rom-resume-tail", test_esp8266_rom_resume_tail);
  g_test_add_func ("/esplash/flash/recover/stall-no-lines", test_stall_no_lines);
  g_test_add_func ("/esplash/flash/recover/rate-too-high", test_rate_too_high);

  return g_test_run ();
}
