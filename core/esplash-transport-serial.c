/* esplash-transport-serial.c: local serial ports through libserialport.
 *
 * libserialport's errors are converted to ESPLASH_ERROR here and nowhere
 * else. Reads never pass timeout 0 to libserialport (that waits forever
 * and could not be cancelled).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-transport-serial.h"
#include "esplash-transport-private.h"

#include "esplash-error.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <libserialport.h>

#ifdef G_OS_UNIX
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#endif

/* A write that makes no progress for this long is an error (esptool: 10 s). */
#define WRITE_TIMEOUT_MS 10000

struct _EsplashTransportSerial
{
  EsplashTransport  parent_instance;

  struct sp_port   *port;
  char             *path;
};

G_DEFINE_FINAL_TYPE (EsplashTransportSerial, esplash_transport_serial, ESPLASH_TYPE_TRANSPORT)

/* Maps a libserialport failure to one ESPLASH_ERROR. @opening selects the
 * wording for errors that mean "cannot open" versus "went away in use". */
static void
set_sp_error (GError             **error,
              enum sp_return       ret,
              const char          *path,
              const char          *action,
              gboolean             opening)
{
  char *sp_msg;
  g_autofree char *os_msg = NULL;
  int code;

  switch (ret)
    {
    case SP_ERR_ARG:
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_FAILED,
                   "%s %s: invalid argument to libserialport", action, path);
      return;
    case SP_ERR_MEM:
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_FAILED,
                   "%s %s: out of memory", action, path);
      return;
    case SP_ERR_SUPP:
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_UNSUPPORTED,
                   "%s %s: not supported by this port or operating system", action, path);
      return;
    case SP_ERR_FAIL:
    case SP_OK:
    default:
      break;
    }

  code = sp_last_error_code ();
  sp_msg = sp_last_error_message ();
  os_msg = g_strdup (sp_msg != NULL ? g_strchomp (sp_msg) : "unknown error");
  sp_free_error_message (sp_msg);

#ifdef G_OS_UNIX
  switch (code)
    {
    case ENOENT:
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_NOT_FOUND,
                   "No such port %s: is the board plugged in?", path);
      return;
    case ENODEV:
    case ENXIO:
    case EIO:
      if (opening)
        g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_NOT_FOUND,
                     "%s %s: %s (is the board plugged in?)", action, path, os_msg);
      else
        g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_PORT_GONE,
                     "%s %s: %s (was the board unplugged?)", action, path, os_msg);
      return;
    case EACCES:
    case EPERM:
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_PERMISSION_DENIED,
                   "%s %s: permission denied; add your user to the group that owns the "
                   "port (usually “dialout”, or “uucp” on some systems) and log in again",
                   action, path);
      return;
    case EBUSY:
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_BUSY,
                   "%s %s: the port is busy (%s); close any other program using it, "
                   "such as a serial monitor", action, path, os_msg);
      return;
    default:
      break;
    }
#endif

  g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_FAILED,
               "%s %s: %s", action, path, os_msg);
}

/* libserialport looks ports up in sysfs and refuses anything it does not
 * find there (including pseudo-terminals); say which case it was. */
static void
set_lookup_error (GError     **error,
                  const char  *path)
{
#ifdef G_OS_UNIX
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    {
      int saved_errno = errno;

      if (saved_errno == ENOENT || saved_errno == ENOTDIR)
        g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_NOT_FOUND,
                     "No such port %s: is the board plugged in?", path);
      else if (saved_errno == EACCES || saved_errno == EPERM)
        g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_PERMISSION_DENIED,
                     "Cannot look up %s: permission denied; add your user to the "
                     "“dialout” group and log in again", path);
      else
        g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_FAILED,
                     "Cannot look up %s: %s", path, g_strerror (saved_errno));
      return;
    }

  if (!S_ISCHR (st.st_mode))
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT,
                   "%s is not a serial port (not a character device)", path);
      return;
    }

  g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_UNSUPPORTED,
               "%s is not a serial port that libserialport can open "
               "(pseudo-terminals and other virtual terminals are not supported); "
               "for a network or simulated port use socket://HOST:PORT", path);
#else
  g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_NOT_FOUND,
               "No such port %s: is the board plugged in?", path);
#endif
}

static gboolean
configure_port (EsplashTransportSerial  *self,
                GError                 **error)
{
  struct sp_port_config *config = NULL;
  enum sp_return ret;

  ret = sp_new_config (&config);
  if (ret != SP_OK)
    {
      set_sp_error (error, ret, self->path, "Cannot configure", TRUE);
      return FALSE;
    }

  /* Flow control first: it rewrites the RTS setting in the config. The
   * lines start deasserted, which matches the base class's state and does
   * not reset the chip. */
  sp_set_config_baudrate (config, 115200);
  sp_set_config_bits (config, 8);
  sp_set_config_parity (config, SP_PARITY_NONE);
  sp_set_config_stopbits (config, 1);
  sp_set_config_flowcontrol (config, SP_FLOWCONTROL_NONE);
  sp_set_config_dtr (config, SP_DTR_OFF);
  sp_set_config_rts (config, SP_RTS_OFF);

  ret = sp_set_config (self->port, config);
  sp_free_config (config);
  if (ret != SP_OK)
    {
      set_sp_error (error, ret, self->path, "Cannot configure", TRUE);
      return FALSE;
    }
  return TRUE;
}

#ifdef G_OS_UNIX
static int
port_fd (EsplashTransportSerial *self)
{
  int fd = -1;

  if (sp_get_port_handle (self->port, &fd) != SP_OK)
    return -1;
  return fd;
}

/* Like esptool's exclusive open: a second flasher or a serial monitor
 * holding the lock means the port is busy. */
static gboolean
lock_port (EsplashTransportSerial  *self,
           GError                 **error)
{
  int fd = port_fd (self);

  if (fd < 0)
    return TRUE;
  if (flock (fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_BUSY,
                   "Cannot open %s: another program holds the port; close it "
                   "(a serial monitor, another flasher) and try again", self->path);
      return FALSE;
    }
  return TRUE;
}
#endif

/**
 * esplash_transport_serial_open:
 * @path: "/dev/ttyUSB0", "COM3"
 * @error: return location for an error
 *
 * Returns: (transfer full): the open port at 115200 8N1, or %NULL
 */
EsplashTransport *
esplash_transport_serial_open (const char  *path,
                               GError     **error)
{
  g_autoptr(EsplashTransportSerial) self = NULL;
  enum sp_return ret;
  int vid = 0;
  int pid = 0;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (ESPLASH_TYPE_TRANSPORT_SERIAL, NULL);
  self->path = g_strdup (path);

  ret = sp_get_port_by_name (path, &self->port);
  if (ret != SP_OK)
    {
      self->port = NULL;
      if (ret == SP_ERR_FAIL)
        set_sp_error (error, ret, path, "Cannot open", TRUE);
      else
        set_lookup_error (error, path);
      return NULL;
    }

  ret = sp_open (self->port, SP_MODE_READ_WRITE);
  if (ret != SP_OK)
    {
      set_sp_error (error, ret, path, "Cannot open", TRUE);
      sp_free_port (g_steal_pointer (&self->port));
      return NULL;
    }

  /* From here on, dropping @self closes the port (dispose → close). */
#ifdef G_OS_UNIX
  if (!lock_port (self, error))
    return NULL;
#endif

  if (!configure_port (self, error))
    return NULL;

  if (sp_get_port_transport (self->port) != SP_TRANSPORT_USB ||
      sp_get_port_usb_vid_pid (self->port, &vid, &pid) != SP_OK)
    vid = pid = 0;

  esplash_transport_set_info (ESPLASH_TRANSPORT (self), ESPLASH_TRANSPORT_KIND_SERIAL,
                              path, TRUE, 115200, (guint16) vid, (guint16) pid);
  if (vid != 0)
    esplash_transport_set_usb_serial (ESPLASH_TRANSPORT (self),
                                      sp_get_port_usb_serial (self->port));
  g_debug ("Opened %s (USB %04x:%04x)", path, (guint) vid, (guint) pid);

  return ESPLASH_TRANSPORT (g_steal_pointer (&self));
}

static gssize
esplash_transport_serial_read (EsplashTransport  *transport,
                               guint8            *buf,
                               gsize              len,
                               guint              timeout_ms,
                               GError           **error)
{
  EsplashTransportSerial *self = ESPLASH_TRANSPORT_SERIAL (transport);
  enum sp_return ret;

  /* Returns as soon as any byte is there, unlike sp_blocking_read(). */
  ret = sp_blocking_read_next (self->port, buf, len, MAX (timeout_ms, 1));
  if (ret < 0)
    {
      set_sp_error (error, ret, self->path, "Cannot read from", FALSE);
      return -1;
    }
  return ret;
}

static gboolean
esplash_transport_serial_write (EsplashTransport  *transport,
                                const guint8      *buf,
                                gsize              len,
                                GError           **error)
{
  EsplashTransportSerial *self = ESPLASH_TRANSPORT_SERIAL (transport);
  gsize done = 0;

  while (done < len)
    {
      enum sp_return ret;

      ret = sp_blocking_write (self->port, buf + done, len - done, WRITE_TIMEOUT_MS);
      if (ret < 0)
        {
          set_sp_error (error, ret, self->path, "Cannot write to", FALSE);
          return FALSE;
        }
      if (ret == 0)
        {
          g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_TIMED_OUT,
                       "Timed out writing to %s: the port accepted no data for %d s",
                       self->path, WRITE_TIMEOUT_MS / 1000);
          return FALSE;
        }
      done += (gsize) ret;
    }
  return TRUE;
}

static gboolean
esplash_transport_serial_set_baud (EsplashTransport  *transport,
                                   guint              baud,
                                   GError           **error)
{
  EsplashTransportSerial *self = ESPLASH_TRANSPORT_SERIAL (transport);
  enum sp_return ret;

  if (baud > G_MAXINT)
    {
      g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_INVALID_ARGUMENT,
                   "Invalid baud rate %u", baud);
      return FALSE;
    }

  ret = sp_set_baudrate (self->port, (int) baud);
  if (ret != SP_OK)
    {
      g_autofree char *action = g_strdup_printf ("Cannot set %u baud on", baud);

      set_sp_error (error, ret, self->path, action, FALSE);
      return FALSE;
    }
  return TRUE;
}

static gboolean
set_lines_separately (EsplashTransportSerial  *self,
                      gboolean                 dtr,
                      gboolean                 rts,
                      GError                 **error)
{
  enum sp_return ret;

  /* RTS first, then DTR: the DTR write after an RTS change is what
   * Windows' usbser.sys needs to apply the RTS change. */
  ret = sp_set_rts (self->port, rts ? SP_RTS_ON : SP_RTS_OFF);
  if (ret == SP_OK)
    ret = sp_set_dtr (self->port, dtr ? SP_DTR_ON : SP_DTR_OFF);
  if (ret != SP_OK)
    {
      set_sp_error (error, ret, self->path, "Cannot set DTR/RTS on", FALSE);
      return FALSE;
    }
  return TRUE;
}

static gboolean
esplash_transport_serial_set_lines (EsplashTransport  *transport,
                                    gboolean           dtr,
                                    gboolean           rts,
                                    GError           **error)
{
  EsplashTransportSerial *self = ESPLASH_TRANSPORT_SERIAL (transport);

#if defined(G_OS_UNIX) && defined(TIOCMSET)
  {
    /* Both lines in one ioctl, so the chip never sees an intermediate
     * state (esptool's "Unix tight reset"). */
    int fd = port_fd (self);
    int status = 0;

    if (fd >= 0 && ioctl (fd, TIOCMGET, &status) == 0)
      {
        if (dtr)
          status |= TIOCM_DTR;
        else
          status &= ~TIOCM_DTR;
        if (rts)
          status |= TIOCM_RTS;
        else
          status &= ~TIOCM_RTS;
        if (ioctl (fd, TIOCMSET, &status) == 0)
          return TRUE;
        if (errno == ENXIO || errno == ENODEV || errno == EIO)
          {
            g_set_error (error, ESPLASH_ERROR, ESPLASH_ERROR_PORT_GONE,
                         "Cannot set DTR/RTS on %s: %s (was the board unplugged?)",
                         self->path, g_strerror (errno));
            return FALSE;
          }
      }
  }
#endif

  return set_lines_separately (self, dtr, rts, error);
}

static gboolean
esplash_transport_serial_flush_input (EsplashTransport  *transport,
                                      GError           **error)
{
  EsplashTransportSerial *self = ESPLASH_TRANSPORT_SERIAL (transport);
  enum sp_return ret;

  ret = sp_flush (self->port, SP_BUF_INPUT);
  if (ret != SP_OK)
    {
      set_sp_error (error, ret, self->path, "Cannot flush the input of", FALSE);
      return FALSE;
    }
  return TRUE;
}

static gboolean
esplash_transport_serial_drain (EsplashTransport  *transport,
                                GError           **error)
{
  EsplashTransportSerial *self = ESPLASH_TRANSPORT_SERIAL (transport);
  enum sp_return ret;

  ret = sp_drain (self->port);
  if (ret != SP_OK)
    {
      set_sp_error (error, ret, self->path, "Cannot drain the output of", FALSE);
      return FALSE;
    }
  return TRUE;
}

static void
esplash_transport_serial_close (EsplashTransport *transport)
{
  EsplashTransportSerial *self = ESPLASH_TRANSPORT_SERIAL (transport);

  if (self->port != NULL)
    {
      /* Closing the fd also releases the flock. */
      sp_close (self->port);
      sp_free_port (g_steal_pointer (&self->port));
    }
}

static void
esplash_transport_serial_finalize (GObject *object)
{
  EsplashTransportSerial *self = ESPLASH_TRANSPORT_SERIAL (object);

  g_free (self->path);

  G_OBJECT_CLASS (esplash_transport_serial_parent_class)->finalize (object);
}

static void
esplash_transport_serial_class_init (EsplashTransportSerialClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  EsplashTransportClass *transport_class = ESPLASH_TRANSPORT_CLASS (klass);

  object_class->finalize = esplash_transport_serial_finalize;

  transport_class->read = esplash_transport_serial_read;
  transport_class->write = esplash_transport_serial_write;
  transport_class->set_baud = esplash_transport_serial_set_baud;
  transport_class->set_lines = esplash_transport_serial_set_lines;
  transport_class->flush_input = esplash_transport_serial_flush_input;
  transport_class->drain = esplash_transport_serial_drain;
  transport_class->close = esplash_transport_serial_close;
}

static void
esplash_transport_serial_init (EsplashTransportSerial *self)
{
}
