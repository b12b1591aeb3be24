/* esplash-sim-inspect.c: the virtual chip's board controls (buttons,
 * power, cable) and what tests may inspect (state, flash, RAM, events).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esplash-sim-private.h"

/* ---------------------------------------------------------------- board */

void
esplash_sim_set_boot_held (EsplashSim *self,
                           gboolean    held)
{
  g_return_if_fail (ESPLASH_IS_SIM (self));

  g_mutex_lock (&self->lock);
  sim_board_touch (self, sim_now ());
  self->boot_held = !!held;
  g_mutex_unlock (&self->lock);
}

void
esplash_sim_press_reset (EsplashSim *self)
{
  gint64 now;

  g_return_if_fail (ESPLASH_IS_SIM (self));

  g_mutex_lock (&self->lock);
  now = sim_now ();
  sim_board_touch (self, now);
  sim_board_press_reset (self, now);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

void
esplash_sim_power_cycle (EsplashSim *self)
{
  g_return_if_fail (ESPLASH_IS_SIM (self));

  g_mutex_lock (&self->lock);
  g_queue_clear_full (&self->out, sim_chunk_free);
  self->unplugged = FALSE;
  self->stalled = FALSE;
  self->stall_spent = FALSE;
  self->n_commands = 0;
  sim_hostile_reset (self);
  self->tx_free_us = self->rx_free_us = self->busy_until_us = 0;
  g_ptr_array_set_size (self->ram, 0);
  self->mem_current = NULL;
  sim_regs_init (self);
  sim_board_power_on (self, self->boot_held, sim_now ());
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

void
esplash_sim_unplug (EsplashSim *self)
{
  g_return_if_fail (ESPLASH_IS_SIM (self));

  g_mutex_lock (&self->lock);
  sim_set_unplugged (self);
  g_mutex_unlock (&self->lock);
}

/* ----------------------------------------------------------- inspection */

EsplashSimState
esplash_sim_get_state (EsplashSim *self)
{
  EsplashSimState state;

  g_return_val_if_fail (ESPLASH_IS_SIM (self), ESPLASH_SIM_STATE_RESET);

  g_mutex_lock (&self->lock);
  sim_board_touch (self, sim_now ());
  state = self->state;
  g_mutex_unlock (&self->lock);
  return state;
}

const char *
esplash_sim_state_name (EsplashSimState state)
{
  switch (state)
    {
    case ESPLASH_SIM_STATE_RESET:
      return "reset";
    case ESPLASH_SIM_STATE_ROM_LOADER:
      return "rom-loader";
    case ESPLASH_SIM_STATE_STUB:
      return "stub";
    case ESPLASH_SIM_STATE_APP:
      return "app";
    case ESPLASH_SIM_STATE_NO_APP:
      return "no-app";
    default:
      return "unknown";
    }
}

/**
 * esplash_sim_get_stats:
 * @stats: (out caller-allocates): bytes each way so far and the modelled
 *   busy time (erase, program, MD5; only with the timing model)
 */
void
esplash_sim_get_stats (EsplashSim      *self,
                       EsplashSimStats *stats)
{
  g_return_if_fail (ESPLASH_IS_SIM (self));
  g_return_if_fail (stats != NULL);

  g_mutex_lock (&self->lock);
  stats->host_to_chip = self->rx_count;
  stats->chip_to_host = self->tx_count;
  stats->busy_us = self->busy_total_us;
  stats->hostile_frames = self->hostile_frames;
  stats->hostile_bytes = self->hostile_bytes;
  g_mutex_unlock (&self->lock);
}

guint
esplash_sim_get_baud (EsplashSim *self)
{
  guint baud;

  g_return_val_if_fail (ESPLASH_IS_SIM (self), 0);

  g_mutex_lock (&self->lock);
  baud = self->chip_baud;
  g_mutex_unlock (&self->lock);
  return baud;
}

/**
 * esplash_sim_dup_flash:
 *
 * Returns: (transfer full) (nullable): a copy of the flash range, NULL if
 *   it does not fit in the flash
 */
GBytes *
esplash_sim_dup_flash (EsplashSim *self,
                       guint32     address,
                       guint32     size)
{
  GBytes *bytes = NULL;

  g_return_val_if_fail (ESPLASH_IS_SIM (self), NULL);

  g_mutex_lock (&self->lock);
  if (sim_flash_range_ok (self, address, size))
    bytes = g_bytes_new (self->flash + address, size);
  g_mutex_unlock (&self->lock);
  return bytes;
}

/* Puts bytes into the flash as a programmer would (no erase semantics);
 * whatever does not fit is dropped. */
void
esplash_sim_load_flash (EsplashSim *self,
                        guint32     address,
                        GBytes     *data)
{
  gsize len;
  const guint8 *bytes;

  g_return_if_fail (ESPLASH_IS_SIM (self));
  g_return_if_fail (data != NULL);

  bytes = g_bytes_get_data (data, &len);
  g_mutex_lock (&self->lock);
  if (address < self->flash_size)
    memcpy (self->flash + address, bytes, MIN (len, self->flash_size - address));
  g_mutex_unlock (&self->lock);
}

guint32
esplash_sim_get_flash_size (EsplashSim *self)
{
  g_return_val_if_fail (ESPLASH_IS_SIM (self), 0);
  return self->flash_size;
}

/**
 * esplash_sim_dup_ram:
 *
 * Returns: (transfer full) (nullable): the bytes loaded with MEM_* at
 *   @address, NULL if no loaded segment covers the whole range
 */
GBytes *
esplash_sim_dup_ram (EsplashSim *self,
                     guint32     address,
                     guint32     size)
{
  GBytes *bytes = NULL;

  g_return_val_if_fail (ESPLASH_IS_SIM (self), NULL);

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->ram->len && bytes == NULL; i++)
    {
      SimRamSegment *seg = g_ptr_array_index (self->ram, i);

      if (address >= seg->start && (guint64) address + size <= (guint64) seg->start + seg->data->len)
        bytes = g_bytes_new (seg->data->data + (address - seg->start), size);
    }
  g_mutex_unlock (&self->lock);
  return bytes;
}

guint
esplash_sim_get_reset_count (EsplashSim *self)
{
  guint count;

  g_return_val_if_fail (ESPLASH_IS_SIM (self), 0);

  g_mutex_lock (&self->lock);
  sim_board_touch (self, sim_now ());
  count = self->reset_count;
  g_mutex_unlock (&self->lock);
  return count;
}

/**
 * esplash_sim_dup_events:
 *
 * Returns: (transfer full): the event log, oldest first
 */
GStrv
esplash_sim_dup_events (EsplashSim *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (ESPLASH_IS_SIM (self), NULL);

  g_mutex_lock (&self->lock);
  sim_board_touch (self, sim_now ());
  for (GList *l = self->events.head; l != NULL; l = l->next)
    g_strv_builder_add (builder, l->data);
  g_mutex_unlock (&self->lock);
  return g_strv_builder_end (builder);
}

guint
esplash_sim_count_commands (EsplashSim *self,
                            guint8      opcode)
{
  guint count;

  g_return_val_if_fail (ESPLASH_IS_SIM (self), 0);

  g_mutex_lock (&self->lock);
  count = self->command_counts[opcode];
  g_mutex_unlock (&self->lock);
  return count;
}

/**
 * esplash_sim_is_autobauding:
 * @self: an #EsplashSim
 *
 * Returns: %TRUE while the ROM loader waits for a SYNC to learn the host's
 *   baud (it then answers at whatever rate the host uses)
 */
gboolean
esplash_sim_is_autobauding (EsplashSim *self)
{
  gboolean pending;

  g_return_val_if_fail (ESPLASH_IS_SIM (self), FALSE);

  g_mutex_lock (&self->lock);
  pending = self->autobaud_pending;
  g_mutex_unlock (&self->lock);
  return pending;
}
