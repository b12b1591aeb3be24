/* test-sim-rig.h: a host for the virtual chip in tests — frames bytes,
 * reads and decodes replies, runs register reads and writes. Included by
 * test-sim.c only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <string.h>

#include "esplash-chip.h"
#include "esplash-command.h"
#include "esplash-slip.h"
#include "esplash-sim.h"

#define SECOND G_USEC_PER_SEC

typedef struct {
  EsplashSim         *sim;
  EsplashSlipDecoder *decoder;
  GByteArray         *pending;   /* bytes read but not yet decoded */
} Rig;

static Rig *
rig_new_full (EsplashChipFamily  family,
              EsplashConsole     console,
              EsplashSimBootMode boot_mode,
              void (*tweak) (EsplashSimOptions *options))
{
  EsplashSimOptions options;
  Rig *rig = g_new0 (Rig, 1);

  esplash_sim_options_init (&options, family);
  options.console = console;
  options.boot_mode = boot_mode;
  if (tweak != NULL)
    tweak (&options);
  rig->sim = esplash_sim_new (&options);
  rig->decoder = esplash_slip_decoder_new (0x10000);
  rig->pending = g_byte_array_new ();
  return rig;
}

static Rig *
rig_new (EsplashChipFamily family)
{
  return rig_new_full (family, ESPLASH_CONSOLE_UART, ESPLASH_SIM_BOOT_DOWNLOAD, NULL);
}

static void
rig_free (Rig *rig)
{
  g_object_unref (rig->sim);
  esplash_slip_decoder_free (rig->decoder);
  g_byte_array_unref (rig->pending);
  g_free (rig);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Rig, rig_free)

static void
rig_send (Rig    *rig,
          GBytes *packet)
{
  g_autoptr(GByteArray) framed = g_byte_array_new ();
  gsize len;
  const guint8 *data = g_bytes_get_data (packet, &len);

  esplash_slip_encode (data, len, framed);
  esplash_sim_host_write (rig->sim, framed->data, framed->len);
}

/* The next SLIP frame from the chip, NULL on timeout. */
static GBytes *
rig_read_frame (Rig   *rig,
                gint64 timeout_us)
{
  gint64 deadline = g_get_monotonic_time () + timeout_us;

  for (;;)
    {
      guint8 buf[512];
      gssize n;
      gsize used = 0;

      while (used < rig->pending->len)
        {
          EsplashSlipResult r = esplash_slip_decoder_push (rig->decoder, rig->pending->data[used++], NULL);

          if (r == ESPLASH_SLIP_FRAME)
            {
              g_byte_array_remove_range (rig->pending, 0, used);
              return esplash_slip_decoder_take_frame (rig->decoder);
            }
        }
      g_byte_array_set_size (rig->pending, 0);
      n = esplash_sim_host_read (rig->sim, buf, sizeof buf,
                                 MAX (deadline - g_get_monotonic_time (), 0));
      if (n <= 0)
        return NULL;
      g_byte_array_append (rig->pending, buf, n);
    }
}

/* Reads until a response to @opcode arrives. */
static gboolean
rig_expect (Rig             *rig,
            guint8           opcode,
            gsize            expected_payload,
            EsplashResponse *resp)
{
  for (guint i = 0; i < 100; i++)
    {
      g_autoptr(GBytes) frame = rig_read_frame (rig, 2 * SECOND);
      gsize len;
      const guint8 *data;

      if (frame == NULL)
        return FALSE;
      data = g_bytes_get_data (frame, &len);
      if (!esplash_response_parse (data, len, expected_payload, resp, NULL))
        continue;
      if (resp->opcode == opcode)
        return TRUE;
      esplash_response_clear (resp);
    }
  return FALSE;
}

static gboolean
rig_words (Rig             *rig,
           guint8           opcode,
           const guint32   *words,
           guint            n_words,
           gsize            expected_payload,
           EsplashResponse *resp)
{
  g_autoptr(GBytes) packet = esplash_command_build_words (opcode, words, n_words);

  rig_send (rig, packet);
  return rig_expect (rig, opcode, expected_payload, resp);
}

static void
rig_sync (Rig             *rig,
          EsplashResponse *first)
{
  guint8 data[36] = { 0x07, 0x07, 0x12, 0x20 };
  g_autoptr(GBytes) packet = NULL;

  memset (data + 4, 0x55, 32);
  packet = esplash_command_build (ESPLASH_OP_SYNC, data, sizeof data, 0);
  rig_send (rig, packet);
  g_assert_true (rig_expect (rig, ESPLASH_OP_SYNC, 0, first));
}

static guint32
rig_read_reg (Rig    *rig,
              guint32 address)
{
  EsplashResponse resp;
  guint32 value;

  g_assert_true (rig_words (rig, ESPLASH_OP_READ_REG, &address, 1, 0, &resp));
  g_assert_cmpuint (resp.status[0], ==, 0);
  value = resp.value;
  esplash_response_clear (&resp);
  return value;
}

static void
rig_write_reg (Rig    *rig,
               guint32 address,
               guint32 value,
               guint32 mask)
{
  guint32 words[4] = { address, value, mask, 0 };
  EsplashResponse resp;

  g_assert_true (rig_words (rig, ESPLASH_OP_WRITE_REG, words, 4, 0, &resp));
  g_assert_cmpuint (resp.status[0], ==, 0);
  esplash_response_clear (&resp);
}

static gboolean
reg_reader (gpointer   user_data,
            guint32    address,
            guint32   *value,
            GError   **error)
{
  *value = rig_read_reg (user_data, address);
  return TRUE;
}

static gboolean
has_event_prefix (EsplashSim *sim,
                  const char *prefix)
{
  g_auto(GStrv) events = esplash_sim_dup_events (sim);

  for (guint i = 0; events[i] != NULL; i++)
    if (g_str_has_prefix (events[i], prefix))
      return TRUE;
  return FALSE;
}

static const char *
last_reset_event (EsplashSim *sim,
                  char      **storage)
{
  g_auto(GStrv) events = esplash_sim_dup_events (sim);

  g_clear_pointer (storage, g_free);
  for (guint i = 0; events[i] != NULL; i++)
    if (g_str_has_prefix (events[i], "reset "))
      {
        g_free (*storage);
        *storage = g_strdup (events[i]);
      }
  return *storage;
}

/* Everything the chip prints within @us, as text. */
static char *
read_text (EsplashSim *sim,
           gint64      us)
{
  g_autoptr(GString) text = g_string_new (NULL);
  gint64 deadline = g_get_monotonic_time () + us;
  guint8 buf[256];
  gssize n;

  while ((n = esplash_sim_host_read (sim, buf, sizeof buf, MAX (deadline - g_get_monotonic_time (), 0))) > 0)
    g_string_append_len (text, (const char *) buf, n);
  return g_string_free (g_steal_pointer (&text), FALSE);
}
