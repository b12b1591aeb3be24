/* esplash-attempt.c: the observation record of a failed attempt, filled
 * from the error, the device session and the host (troubleshooting.md §1,
 * §7).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esplash-attempt.h"
#include "esplash-device-private.h"
#include "esplash-error.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef G_OS_UNIX
#include <grp.h>
#include <pwd.h>
#endif

/* The newest bytes kept of what the chip printed after connecting. */
#define OPERATION_TEXT_CAP (16 * 1024)

G_DEFINE_BOXED_TYPE (EsplashAttempt, esplash_attempt, esplash_attempt_copy, esplash_attempt_free)

EsplashHostOs
esplash_host_os (void)
{
#if defined(G_OS_WIN32)
  return ESPLASH_HOST_OS_WINDOWS;
#elif defined(__APPLE__)
  return ESPLASH_HOST_OS_MACOS;
#elif defined(__linux__)
  return ESPLASH_HOST_OS_LINUX;
#else
  return ESPLASH_HOST_OS_OTHER;
#endif
}

/**
 * esplash_attempt_new:
 * @url: (nullable): the port as the user gave it
 *
 * Returns: (transfer full): an empty record: nothing failed, nothing seen
 */
EsplashAttempt *
esplash_attempt_new (const char *url)
{
  EsplashAttempt *attempt = g_new0 (EsplashAttempt, 1);

  attempt->url = g_strdup (url);
  attempt->network = url != NULL && (g_str_has_prefix (url, "socket://") ||
                                     g_str_has_prefix (url, "rfc2217://"));
  attempt->has_lines = !(url != NULL && g_str_has_prefix (url, "socket://"));
  attempt->boot_mode = -1;
  attempt->os = esplash_host_os ();
  return attempt;
}

static GPtrArray *
copy_holders (GPtrArray *holders)
{
  GPtrArray *copy;

  if (holders == NULL)
    return NULL;
  copy = g_ptr_array_new_with_free_func ((GDestroyNotify) esplash_port_holder_free);
  for (guint i = 0; i < holders->len; i++)
    {
      const EsplashPortHolder *h = g_ptr_array_index (holders, i);
      EsplashPortHolder *c = g_new0 (EsplashPortHolder, 1);

      c->pid = h->pid;
      c->name = g_strdup (h->name);
      c->cmdline = g_strdup (h->cmdline);
      g_ptr_array_add (copy, c);
    }
  return copy;
}

/**
 * esplash_attempt_copy:
 *
 * Returns: (transfer full): a deep copy
 */
EsplashAttempt *
esplash_attempt_copy (const EsplashAttempt *attempt)
{
  EsplashAttempt *copy;

  g_return_val_if_fail (attempt != NULL, NULL);

  copy = g_new0 (EsplashAttempt, 1);
  *copy = *attempt;
  copy->url = g_strdup (attempt->url);
  copy->usb_serial = g_strdup (attempt->usb_serial);
  copy->port_name = g_strdup (attempt->port_name);
  copy->error = attempt->error != NULL ? g_error_copy (attempt->error) : NULL;
  copy->line_text = attempt->line_text != NULL ? g_bytes_ref (attempt->line_text) : NULL;
  copy->operation_text = attempt->operation_text != NULL ? g_bytes_ref (attempt->operation_text)
                                                         : NULL;
  copy->reappeared_as = g_strdup (attempt->reappeared_as);
  copy->node_group = g_strdup (attempt->node_group);
  copy->user_name = g_strdup (attempt->user_name);
  copy->holders = copy_holders (attempt->holders);
  copy->ports = NULL;
  if (attempt->ports != NULL)
    {
      copy->ports = g_ptr_array_new_with_free_func ((GDestroyNotify) esplash_port_info_free);
      for (guint i = 0; i < attempt->ports->len; i++)
        g_ptr_array_add (copy->ports, esplash_port_info_copy (g_ptr_array_index (attempt->ports, i)));
    }
  copy->usb_ids = attempt->usb_ids != NULL ? g_array_copy (attempt->usb_ids) : NULL;
  copy->probe_text = attempt->probe_text != NULL ? g_bytes_ref (attempt->probe_text) : NULL;
  return copy;
}

void
esplash_attempt_free (EsplashAttempt *attempt)
{
  if (attempt == NULL)
    return;
  g_free (attempt->url);
  g_free (attempt->usb_serial);
  g_free (attempt->port_name);
  g_clear_error (&attempt->error);
  g_clear_pointer (&attempt->line_text, g_bytes_unref);
  g_clear_pointer (&attempt->operation_text, g_bytes_unref);
  g_free (attempt->reappeared_as);
  g_free (attempt->node_group);
  g_free (attempt->user_name);
  g_clear_pointer (&attempt->holders, g_ptr_array_unref);
  g_clear_pointer (&attempt->ports, g_ptr_array_unref);
  g_clear_pointer (&attempt->usb_ids, g_array_unref);
  g_clear_pointer (&attempt->probe_text, g_bytes_unref);
  g_free (attempt);
}

/**
 * esplash_attempt_set_error:
 * @error: (nullable): the failed step's error
 */
void
esplash_attempt_set_error (EsplashAttempt *attempt,
                           const GError   *error)
{
  g_return_if_fail (attempt != NULL);

  g_clear_error (&attempt->error);
  if (error == NULL)
    return;
  attempt->error = g_error_copy (error);
  if (error->domain != ESPLASH_ERROR)
    return;

  switch (error->code)
    {
    case ESPLASH_ERROR_PERMISSION_DENIED:
      if (attempt->os_errno == 0)
        attempt->os_errno = EACCES;
      break;
    case ESPLASH_ERROR_BUSY:
      if (attempt->os_errno == 0)
        attempt->os_errno = EBUSY;
      break;
    case ESPLASH_ERROR_NOT_FOUND:
      if (attempt->os_errno == 0 && attempt->stage <= ESPLASH_STAGE_OPENING)
        attempt->os_errno = ENOENT;
      break;
    case ESPLASH_ERROR_PORT_GONE:
      attempt->port_vanished = TRUE;
      break;
    default:
      break;
    }
}

static EsplashPortKind
kind_from_usb (guint16 vid)
{
  if (vid == ESPLASH_ESPRESSIF_USB_VID)
    return ESPLASH_PORT_KIND_ESPRESSIF_USB;
  return vid != 0 ? ESPLASH_PORT_KIND_USB_BRIDGE : ESPLASH_PORT_KIND_OTHER;
}

void
esplash_attempt_set_port_info (EsplashAttempt        *attempt,
                               const EsplashPortInfo *info)
{
  g_return_if_fail (attempt != NULL);
  g_return_if_fail (info != NULL);

  if (attempt->url == NULL)
    attempt->url = g_strdup (info->path);
  attempt->port_kind = info->kind;
  attempt->usb_vid = info->usb_vid;
  attempt->usb_pid = info->usb_pid;
  g_free (attempt->usb_serial);
  attempt->usb_serial = g_strdup (info->serial);
  g_free (attempt->port_name);
  attempt->port_name = g_strdup (info->friendly_name);
}

/* What the chip printed outside SLIP frames since the connect last copied
 * its noise into line_text (after the SYNC replies): mid-operation, a boot
 * message there means the chip was reset. NULL when nothing arrived. */
static GBytes *
noise_since_connect (EsplashDevice *device)
{
  GByteArray *noise = esplash_slip_decoder_get_noise (device->decoder);
  guint64 total = esplash_slip_decoder_get_noise_total (device->decoder);
  gsize len;

  if (total <= device->line_noise_mark)
    return NULL;
  len = (gsize) MIN (total - device->line_noise_mark, (guint64) noise->len);
  len = MIN (len, (gsize) OPERATION_TEXT_CAP);   /* the newest bytes */
  if (len == 0)
    return NULL;
  return g_bytes_new (noise->data + noise->len - len, len);
}

/**
 * esplash_attempt_set_device:
 * @device: the session the attempt used (connected or not)
 *
 * Copies what the session observed. The transport's USB identity is used
 * only when the record has none yet (a listed port's info is richer).
 */
void
esplash_attempt_set_device (EsplashAttempt *attempt,
                            EsplashDevice  *device)
{
  EsplashTransport *transport;
  GByteArray *text;

  g_return_if_fail (attempt != NULL);
  g_return_if_fail (ESPLASH_IS_DEVICE (device));

  transport = device->transport;
  if (transport != NULL)
    {
      EsplashTransportKind kind = esplash_transport_get_kind (transport);

      if (attempt->url == NULL)
        attempt->url = g_strdup (esplash_transport_get_url (transport));
      attempt->network = kind == ESPLASH_TRANSPORT_KIND_SOCKET ||
                         kind == ESPLASH_TRANSPORT_KIND_RFC2217;
      attempt->has_lines = esplash_transport_has_lines (transport);
      attempt->baud = esplash_transport_get_baud (transport);
      if (attempt->usb_vid == 0 && esplash_transport_get_usb_vid (transport) != 0)
        {
          attempt->usb_vid = esplash_transport_get_usb_vid (transport);
          attempt->usb_pid = esplash_transport_get_usb_pid (transport);
          attempt->port_kind = kind_from_usb (attempt->usb_vid);
        }
    }

  attempt->rx_bytes = device->rx_bytes - device->connect_rx_start;
  text = device->line_text->len > 0 ? device->line_text : device->boot_log;
  g_clear_pointer (&attempt->line_text, g_bytes_unref);
  attempt->line_text = g_bytes_new (text->data, text->len);
  g_clear_pointer (&attempt->operation_text, g_bytes_unref);
  attempt->operation_text = noise_since_connect (device);
  attempt->boot_mode = device->boot_mode;
  attempt->download_banner = device->boot_download;
  attempt->resets_run = device->resets_run;
  attempt->reset_strategies = device->reset_strategies;
  attempt->sync_replies = device->sync_replies;
  attempt->stage = device->stage;

  attempt->synced = device->sync_replies > 0 || device->chip != NULL;
  attempt->chip = device->chip != NULL ? device->chip->family : ESPLASH_CHIP_UNKNOWN;
  attempt->stub_running = device->stub_running;
  attempt->secure_download_mode = device->secure_download_mode;
  attempt->security = device->security;
  if (device->flash_id_valid)
    {
      attempt->flash_id_known = TRUE;
      attempt->flash_id = device->flash_id;
    }
}

/* ------------------------------------------------------------------ */
/* Host facts                                                          */

#ifdef G_OS_UNIX
static void
probe_node (EsplashAttempt *attempt)
{
  struct stat st;
  struct group *gr;
  struct passwd *pw;
  g_autofree gid_t *groups = NULL;
  int n;

  attempt->node_probed = TRUE;
  attempt->node_exists = stat (attempt->url, &st) == 0;
  if (!attempt->node_exists)
    return;
  attempt->node_mode = st.st_mode & 0777;
  attempt->node_uid = st.st_uid;
  attempt->node_gid = st.st_gid;

  g_free (attempt->user_name);
  pw = getpwuid (getuid ());
  attempt->user_name = pw != NULL ? g_strdup (pw->pw_name) : NULL;

  g_free (attempt->node_group);
  gr = getgrgid (st.st_gid);
  attempt->node_group = gr != NULL ? g_strdup (gr->gr_name) : NULL;
  /* The group database may list the user although this process predates
   * the change: then only logging out and in helps (§S3). */
  attempt->user_listed_in_group = pw != NULL && pw->pw_gid == st.st_gid;
  if (gr != NULL && attempt->user_name != NULL)
    for (char **m = gr->gr_mem; m != NULL && *m != NULL; m++)
      if (g_strcmp0 (*m, attempt->user_name) == 0)
        attempt->user_listed_in_group = TRUE;

  attempt->process_in_group = getegid () == st.st_gid;
  n = getgroups (0, NULL);
  if (n > 0)
    {
      groups = g_new (gid_t, n);
      n = getgroups (n, groups);
      for (int i = 0; i < n; i++)
        if (groups[i] == st.st_gid)
          attempt->process_in_group = TRUE;
    }
}

/* USB devices on the bus, from sysfs: tells "no cable / charge-only" (no
 * device) from "driver missing" (a bridge without a tty). */
static GArray *
scan_usb_bus (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/sys/bus/usb/devices", 0, NULL);
  GArray *ids;
  const char *entry;

  if (dir == NULL)
    return NULL;
  ids = g_array_new (FALSE, FALSE, sizeof (guint32));
  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *vpath = g_build_filename ("/sys/bus/usb/devices", entry, "idVendor", NULL);
      g_autofree char *ppath = g_build_filename ("/sys/bus/usb/devices", entry, "idProduct", NULL);
      g_autofree char *vtext = NULL;
      g_autofree char *ptext = NULL;
      guint32 id;

      if (!g_file_get_contents (vpath, &vtext, NULL, NULL) ||
          !g_file_get_contents (ppath, &ptext, NULL, NULL))
        continue;
      id = ((guint32) g_ascii_strtoull (vtext, NULL, 16) << 16) |
           ((guint32) g_ascii_strtoull (ptext, NULL, 16) & 0xFFFF);
      g_array_append_val (ids, id);
    }
  return ids;
}
#endif

/**
 * esplash_attempt_probe_host:
 *
 * Fills the host facts for the record's url. Network URLs get none.
 */
void
esplash_attempt_probe_host (EsplashAttempt *attempt)
{
  g_autoptr(GError) list_error = NULL;

  g_return_if_fail (attempt != NULL);

  attempt->os = esplash_host_os ();
  if (attempt->network)
    return;

  g_clear_pointer (&attempt->ports, g_ptr_array_unref);
  attempt->ports = esplash_port_list (&list_error);
  if (attempt->ports == NULL)
    g_debug ("Listing ports for the diagnosis: %s", list_error->message);

#ifdef G_OS_UNIX
  if (attempt->url != NULL)
    {
      probe_node (attempt);
      g_clear_pointer (&attempt->holders, g_ptr_array_unref);
      if (attempt->node_exists)
        attempt->holders = esplash_port_find_holders (attempt->url);
    }
  attempt->brltty_pid = esplash_process_find ("brltty");
  attempt->modem_manager_pid = esplash_process_find ("ModemManager");
  g_clear_pointer (&attempt->usb_ids, g_array_unref);
  attempt->usb_ids = scan_usb_bus ();
#endif

  /* A port with the same USB identity under another name: re-enumerated. */
  if (attempt->ports != NULL && attempt->usb_vid != 0)
    for (guint i = 0; i < attempt->ports->len; i++)
      {
        const EsplashPortInfo *p = g_ptr_array_index (attempt->ports, i);

        if (p->usb_vid != attempt->usb_vid || p->usb_pid != attempt->usb_pid ||
            (attempt->usb_serial != NULL && g_strcmp0 (p->serial, attempt->usb_serial) != 0))
          continue;
        attempt->port_reappeared = TRUE;
        if (g_strcmp0 (p->path, attempt->url) != 0)
          {
            g_free (attempt->reappeared_as);
            attempt->reappeared_as = g_strdup (p->path);
          }
        break;
      }
}

/**
 * esplash_attempt_probe_baud:
 * @transport: the open port (not reset by this call)
 * @baud: the rate to listen at, e.g. 74880
 * @listen_ms: how long to listen
 *
 * Returns: %FALSE with @error set if the port failed
 */
gboolean
esplash_attempt_probe_baud (EsplashAttempt    *attempt,
                            EsplashTransport  *transport,
                            guint              baud,
                            guint              listen_ms,
                            GCancellable      *cancellable,
                            GError           **error)
{
  g_autoptr(GByteArray) got = g_byte_array_new ();
  guint old_baud;
  gint64 end;
  guint8 buf[512];

  g_return_val_if_fail (attempt != NULL, FALSE);
  g_return_val_if_fail (ESPLASH_IS_TRANSPORT (transport), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  old_baud = esplash_transport_get_baud (transport);
  if (!esplash_transport_set_baud (transport, baud, error) ||
      !esplash_transport_flush_input (transport, error))
    return FALSE;
  end = g_get_monotonic_time () + (gint64) listen_ms * G_TIME_SPAN_MILLISECOND;
  while (g_get_monotonic_time () < end && got->len < 4096)
    {
      gint64 left = (end - g_get_monotonic_time ()) / 1000;
      gssize n = esplash_transport_read (transport, buf, sizeof buf, (guint) MAX (left, 1),
                                         cancellable, error);

      if (n < 0)
        return FALSE;
      g_byte_array_append (got, buf, (guint) n);
    }
  attempt->probe_baud = baud;
  g_clear_pointer (&attempt->probe_text, g_bytes_unref);
  attempt->probe_text = g_bytes_new (got->data, got->len);
  return old_baud == 0 || esplash_transport_set_baud (transport, old_baud, error);
}

gdouble
esplash_printable_ratio (const guint8 *data,
                         gsize         len)
{
  gsize printable = 0;

  if (len == 0)
    return 1.0;
  for (gsize i = 0; i < len; i++)
    if ((data[i] >= 0x20 && data[i] < 0x7F) || data[i] == '\r' || data[i] == '\n' ||
        data[i] == '\t')
      printable++;
  return (gdouble) printable / (gdouble) len;
}
