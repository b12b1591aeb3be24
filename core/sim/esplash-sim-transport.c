/* esplash-sim-transport.c: an EsplashTransport wired to an in-process
 * EsplashSim, presenting itself like the local port the board would give:
 * a CP2102 bridge for the UART console, the chip's own USB otherwise.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-sim-transport.h"
#include "esplash-sim-private.h"
#include "esplash-transport-private.h"
#include "esplash-error.h"

/* Silicon Labs CP210x, the bridge on most Espressif devkits */
#define CP2102_VID 0x10C4
#define CP2102_PID 0xEA60
#define INITIAL_BAUD 115200

struct _EsplashSimTransport
{
  EsplashTransport parent_instance;

  EsplashSim *sim;
};

G_DEFINE_FINAL_TYPE (EsplashSimTransport, esplash_sim_transport, ESPLASH_TYPE_TRANSPORT)

static gssize
sim_transport_read (EsplashTransport  *transport,
                    guint8            *buf,
                    gsize              len,
                    guint              timeout_ms,
                    GError           **error)
{
  EsplashSimTransport *self = ESPLASH_SIM_TRANSPORT (transport);
  gssize n;

  n = esplash_sim_host_read (self->sim, buf, len, (gint64) timeout_ms * G_TIME_SPAN_MILLISECOND);
  if (n < 0)
    {
      g_set_error_literal (error, ESPLASH_ERROR, ESPLASH_ERROR_PORT_GONE,
                           "The port disappeared");
      return -1;
    }
  return n;
}

static gboolean
sim_transport_write (EsplashTransport  *transport,
                     const guint8      *buf,
                     gsize              len,
                     GError           **error)
{
  EsplashSimTransport *self = ESPLASH_SIM_TRANSPORT (transport);

  if (esplash_sim_host_pending (self->sim) < 0)
    {
      g_set_error_literal (error, ESPLASH_ERROR, ESPLASH_ERROR_PORT_GONE,
                           "The port disappeared");
      return FALSE;
    }
  esplash_sim_host_write (self->sim, buf, len);
  return TRUE;
}

static gboolean
sim_transport_set_baud (EsplashTransport  *transport,
                        guint              baud,
                        GError           **error)
{
  esplash_sim_host_set_baud (ESPLASH_SIM_TRANSPORT (transport)->sim, baud);
  return TRUE;
}

static gboolean
sim_transport_set_lines (EsplashTransport  *transport,
                         gboolean           dtr,
                         gboolean           rts,
                         GError           **error)
{
  esplash_sim_host_set_lines (ESPLASH_SIM_TRANSPORT (transport)->sim, dtr, rts);
  return TRUE;
}

static gboolean
sim_transport_flush_input (EsplashTransport  *transport,
                           GError           **error)
{
  esplash_sim_host_purge (ESPLASH_SIM_TRANSPORT (transport)->sim);
  return TRUE;
}

static gboolean
sim_transport_drain (EsplashTransport  *transport,
                     GError           **error)
{
  return TRUE;   /* writes reach the chip synchronously */
}

static void
esplash_sim_transport_finalize (GObject *object)
{
  EsplashSimTransport *self = ESPLASH_SIM_TRANSPORT (object);

  g_clear_object (&self->sim);

  G_OBJECT_CLASS (esplash_sim_transport_parent_class)->finalize (object);
}

static void
esplash_sim_transport_class_init (EsplashSimTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  EsplashTransportClass *transport_class = ESPLASH_TRANSPORT_CLASS (klass);

  object_class->finalize = esplash_sim_transport_finalize;
  transport_class->read = sim_transport_read;
  transport_class->write = sim_transport_write;
  transport_class->set_baud = sim_transport_set_baud;
  transport_class->set_lines = sim_transport_set_lines;
  transport_class->flush_input = sim_transport_flush_input;
  transport_class->drain = sim_transport_drain;
}

static void
esplash_sim_transport_init (EsplashSimTransport *self)
{
}

/**
 * esplash_sim_transport_new:
 * @sim: the virtual chip to connect to
 *
 * Returns: (transfer full): a transport of kind SIMULATOR, url "sim://<chip>"
 */
EsplashTransport *
esplash_sim_transport_new (EsplashSim *sim)
{
  EsplashSimTransport *self;
  g_autofree char *url = NULL;
  guint16 vid, pid;

  g_return_val_if_fail (ESPLASH_IS_SIM (sim), NULL);

  self = g_object_new (ESPLASH_TYPE_SIM_TRANSPORT, NULL);
  self->sim = g_object_ref (sim);

  switch (sim->opt.console)
    {
    case ESPLASH_CONSOLE_USB_JTAG:
      vid = ESPLASH_ESPRESSIF_USB_VID;
      pid = ESPLASH_USB_JTAG_SERIAL_PID;
      break;
    case ESPLASH_CONSOLE_USB_OTG:
      vid = ESPLASH_ESPRESSIF_USB_VID;
      pid = sim->chip->usb_otg_pid;
      break;
    case ESPLASH_CONSOLE_UART:
    default:
      vid = CP2102_VID;
      pid = CP2102_PID;
      break;
    }
  url = g_strdup_printf ("sim://%s", sim->chip->id);
  esplash_transport_set_info (ESPLASH_TRANSPORT (self), ESPLASH_TRANSPORT_KIND_SIMULATOR,
                              url, TRUE, INITIAL_BAUD, vid, pid);
  esplash_sim_host_set_baud (sim, INITIAL_BAUD);
  return ESPLASH_TRANSPORT (self);
}

/**
 * esplash_sim_transport_get_sim:
 *
 * Returns: (transfer none): the virtual chip
 */
EsplashSim *
esplash_sim_transport_get_sim (EsplashSimTransport *self)
{
  g_return_val_if_fail (ESPLASH_IS_SIM_TRANSPORT (self), NULL);
  return self->sim;
}
